// CloudFormation calls shipgraph makes itself, in the stage's account: which stacks exist, a stack's
// outputs and functions, deleting a stack.
import { CliError } from '../errors.js';
import type { StageAccess } from './access.js';

/** Names of every stack in the region that is not deleted; one paginated call instead of one per service. */
export async function existingStacks(access: StageAccess, region: string): Promise<Set<string>> {
  const { paginateListStacks } = await import('@aws-sdk/client-cloudformation');
  const client = await access.cloudFormation(region);
  const names = new Set<string>();
  try {
    for await (const page of paginateListStacks({ client }, {})) {
      for (const stack of page.StackSummaries ?? []) {
        if (stack.StackName !== undefined && stack.StackStatus !== 'DELETE_COMPLETE')
          names.add(stack.StackName);
      }
    }
  } catch (error) {
    throw awsError(error, `cannot list CloudFormation stacks in ${region}`);
  }
  return names;
}

/** The stack's outputs, or null when the stack does not exist. */
export async function stackOutputs(
  access: StageAccess,
  region: string,
  stackName: string,
): Promise<Record<string, string> | null> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = await access.cloudFormation(region);
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs: Record<string, string> = {};
    for (const output of Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey !== undefined && output.OutputValue !== undefined)
        outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  } catch (error) {
    if (isMissingStack(error)) return null;
    throw awsError(error, `cannot read the outputs of stack ${stackName} in ${region}`);
  }
}

/**
 * What the stack's newest event is (its id and status), or null when there is no stack: a deploy
 * that leaves it the same moved nothing in CloudFormation.
 */
export async function stackMark(
  access: StageAccess,
  region: string,
  stackName: string,
): Promise<string | null> {
  const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
  const client = await access.cloudFormation(region);
  try {
    const { StackEvents } = await client.send(new DescribeStackEventsCommand({ StackName: stackName }));
    const newest = StackEvents?.[0];
    return newest === undefined ? '' : `${newest.EventId ?? ''} ${newest.ResourceStatus ?? ''}`;
  } catch (error) {
    if (isMissingStack(error)) return null;
    throw awsError(error, `cannot read the events of stack ${stackName} in ${region}`);
  }
}

export const isMissingStack = (error: unknown): boolean =>
  error instanceof Error && /does not exist/.test(error.message) && /ValidationError/.test(error.name);

/** An AWS failure as a one-line shipgraph error; never mistaken for "the stack is missing". */
export function awsError(error: unknown, what: string): CliError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CliError('E_AWS', `${what}: ${detail}`, {
    hint: 'check the AWS credentials and region of this run (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL)',
    cause: error,
  });
}

/** Deletes a stack and waits until it is gone; a stack that does not exist is already gone. */
export async function deleteStack(
  access: StageAccess,
  region: string,
  stackName: string,
  log: (line: string) => void,
): Promise<void> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client = await access.cloudFormation(region);
  try {
    await client.send(new sdk.DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if (isMissingStack(error)) {
      log(`stack ${stackName} does not exist in ${region}`);
      return;
    }
    throw error;
  }
  log(`deleting stack ${stackName} in ${region}`);
  await client.send(new sdk.DeleteStackCommand({ StackName: stackName }));
  await sdk.waitUntilStackDeleteComplete(
    { client, maxWaitTime: 3600, minDelay: 1, maxDelay: 15 },
    { StackName: stackName },
  );
  log(`stack ${stackName}: deleted`);
}

/** The names of the Lambda functions a stack holds (none when the stack does not exist). */
export async function stackFunctions(
  access: StageAccess,
  region: string,
  stackName: string,
): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client = await access.cloudFormation(region);
  const names: string[] = [];
  try {
    for await (const page of sdk.paginateListStackResources({ client }, { StackName: stackName })) {
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId !== undefined)
          names.push(resource.PhysicalResourceId);
      }
    }
  } catch (error) {
    if (isMissingStack(error)) return [];
    throw awsError(error, `cannot list the resources of stack ${stackName} in ${region}`);
  }
  return names;
}
