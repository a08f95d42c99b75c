// CloudWatch Logs access for toHaveLog and deleteAllLogs.
import {
  CloudWatchLogsClient,
  DeleteLogStreamCommand,
  FilterLogEventsCommand,
  paginateDescribeLogStreams,
  type CloudWatchLogsClientConfig,
} from '@aws-sdk/client-cloudwatch-logs';
import { withClient, type ClientOptions, type ClientProps } from '../clients.js';

export type LogsClientProps = ClientProps<CloudWatchLogsClient, CloudWatchLogsClientConfig>;
export type LogsClientOptions = ClientOptions<CloudWatchLogsClient, CloudWatchLogsClientConfig>;

/** A Lambda function's log group; a name with a slash is taken as a log group name already. */
export function logGroupNameOf(functionOrLogGroup: string): string {
  return functionOrLogGroup.includes('/') ? functionOrLogGroup : `/aws/lambda/${functionOrLogGroup}`;
}

const isMissingGroup = (error: unknown) =>
  error instanceof Error && error.name === 'ResourceNotFoundException';

/**
 * The first event since `startTime` that matches the filter pattern, `undefined` if none does, or `null` when
 * the log group does not exist (yet: Lambda creates it on its first log line).
 */
export async function findLogEvent(
  client: CloudWatchLogsClient,
  logGroupName: string,
  filterPattern: string,
  startTime: number,
): Promise<string | undefined | null> {
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new FilterLogEventsCommand({ logGroupName, filterPattern, startTime, nextToken, limit: 1 }),
      );
      const [event] = page.events ?? [];
      if (event) return event.message ?? '';
      // FilterLogEvents may answer a page without events but with a token: the search is not over yet.
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  } catch (error) {
    if (isMissingGroup(error)) return null;
    throw error;
  }
}

/** Deletes every log stream of a function's log group (or of a log group); resolves to how many. */
export async function deleteAllLogs(
  region: string,
  functionOrLogGroup: string,
  options?: LogsClientOptions,
): Promise<number> {
  const logGroupName = logGroupNameOf(functionOrLogGroup);
  return withClient(CloudWatchLogsClient, { ...options, region }, async (client) => {
    const names: string[] = [];
    try {
      for await (const page of paginateDescribeLogStreams({ client }, { logGroupName })) {
        names.push(...(page.logStreams ?? []).flatMap(({ logStreamName }) => logStreamName ?? []));
      }
    } catch (error) {
      if (isMissingGroup(error)) return 0;
      throw error;
    }
    // Streams are deleted one by one: CloudWatch Logs has no batch delete.
    for (const logStreamName of names) {
      await client.send(new DeleteLogStreamCommand({ logGroupName, logStreamName }));
    }
    return names.length;
  });
}
