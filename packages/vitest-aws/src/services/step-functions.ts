// Step Functions access for toBeAtState/toHaveState and stopRunningExecutions.
import {
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  paginateListExecutions,
  SFNClient,
  StopExecutionCommand,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import { withClient, type ClientOptions, type ClientProps } from '../clients.js';

export type SfnClientProps = ClientProps<SFNClient, SFNClientConfig>;
export type SfnClientOptions = ClientOptions<SFNClient, SFNClientConfig>;

/**
 * The states the newest execution (or the newest running one) entered, oldest first, or `undefined`
 * when there is none.
 */
export async function statesOfNewestExecution(
  client: SFNClient,
  stateMachineArn: string,
  { running = false }: { running?: boolean } = {},
): Promise<string[] | undefined> {
  // Executions are listed newest first.
  const { executions = [] } = await client.send(
    new ListExecutionsCommand({
      stateMachineArn,
      maxResults: 1,
      ...(running ? { statusFilter: 'RUNNING' as const } : {}),
    }),
  );
  const executionArn = executions[0]?.executionArn;
  if (!executionArn) return undefined;
  const states: string[] = [];
  for await (const page of paginateGetExecutionHistory({ client }, { executionArn })) {
    for (const { stateEnteredEventDetails } of page.events ?? []) {
      if (stateEnteredEventDetails?.name) states.push(stateEnteredEventDetails.name);
    }
  }
  return states;
}

/** Stops every running execution of the state machine; resolves to how many it stopped. */
export async function stopRunningExecutions(
  region: string,
  stateMachineArn: string,
  options?: SfnClientOptions,
): Promise<number> {
  return withClient(SFNClient, { ...options, region }, async (client) => {
    const running: string[] = [];
    for await (const page of paginateListExecutions(
      { client },
      { stateMachineArn, statusFilter: 'RUNNING' },
    )) {
      running.push(...(page.executions ?? []).flatMap(({ executionArn }) => executionArn ?? []));
    }
    for (const executionArn of running) {
      await client.send(
        new StopExecutionCommand({ executionArn, cause: 'stopped by stopRunningExecutions' }),
      );
    }
    return running.length;
  });
}
