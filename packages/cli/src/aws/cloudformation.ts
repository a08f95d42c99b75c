// CloudFormation calls shipgraph makes itself: which stacks exist, a stack's outputs, deleting a stack.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CliError } from '../errors.js';
import { stageCredentials } from './access.js';

// The SDK warns on every run under Node 20 that its releases from 2027 need Node 22; shipgraph pins
// its SDK in the lockfile, so the notice is for us, not for each deploy's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const clients = new Map<string, Promise<CloudFormationClient>>();

/** One client per region, in the stage's account; the SDK loaded on first use (planning without AWS never pays for it). */
export function cloudFormation(region: string): Promise<CloudFormationClient> {
  let client = clients.get(region);
  if (client === undefined) {
    client = import('@aws-sdk/client-cloudformation').then(({ CloudFormationClient }) => {
      const credentials = stageCredentials();
      return new CloudFormationClient({ region, maxAttempts: 5, ...(credentials && { credentials }) });
    });
    clients.set(region, client);
  }
  return client;
}

/** Names of every stack in the region that is not deleted; one paginated call instead of one per service. */
export async function existingStacks(region: string): Promise<Set<string>> {
  const { paginateListStacks } = await import('@aws-sdk/client-cloudformation');
  const client = await cloudFormation(region);
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
  region: string,
  stackName: string,
): Promise<Record<string, string> | null> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = await cloudFormation(region);
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
  region: string,
  stackName: string,
  log: (line: string) => void,
): Promise<void> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client = await cloudFormation(region);
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
export async function stackFunctions(region: string, stackName: string): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client = await cloudFormation(region);
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
