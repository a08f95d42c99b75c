// toHaveLog: a Lambda function's (or a log group's) CloudWatch logs have an event matching a filter pattern.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, type MatcherResult } from '../report.js';
import { findLogEvent, logGroupNameOf, type LogsClientProps } from '../services/logs.js';

export type LogsProps = LogsClientProps &
  PollOptions & {
    /** Only events at or after this time (ms since the epoch) count; defaults to an hour ago. */
    startTime?: number;
  } & ({ function: string; logGroupName?: never } | { logGroupName: string; function?: never });

const hour = 60 * 60 * 1000;

export async function toHaveLog(
  this: MatcherState,
  props: LogsProps,
  pattern: string,
): Promise<MatcherResult> {
  const logGroupName = props.logGroupName ?? (props.function && logGroupNameOf(props.function));
  if (!logGroupName || typeof props.region !== 'string') {
    throw new TypeError('toHaveLog: the received props need "region" and "function" or "logGroupName"');
  }
  const { startTime = Date.now() - hour } = props;
  const subject = `log group "${logGroupName}" (${props.region})`;
  const { holds, actual } = await withClient(CloudWatchLogsClient, props, (client) =>
    pollUntilHolds(props, async () => {
      const event = await findLogEvent(client, logGroupName, pattern, startTime);
      return { holds: typeof event === 'string', actual: event };
    }),
  ).catch(cannotRead('toHaveLog', subject));
  return report(this, props, {
    hint: ['toHaveLog', 'logs', 'pattern'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const found = typeof actual === 'string' ? `it has ${print.received(actual)}` : 'none matches';
      return {
        subject,
        should: `have an event matching ${print.expected(pattern)}`,
        but: actual === null ? 'the log group does not exist' : found,
      };
    },
  });
}
