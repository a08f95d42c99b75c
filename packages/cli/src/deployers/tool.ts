// Deploy tools run as processes (serverless, npm scripts, any command): their failures, and whether
// they changed anything.
import { stackMark, stackOutputs } from '../aws/cloudformation.js';
import { CommandFailed, runCommand } from '../process/run-command.js';
import { DeployFailure, looksTransient, type DeployContext, type DeployOutcome } from './contract.js';

/**
 * What deploy tools print when a deploy changed nothing: the Serverless Framework (v3, osls, v4),
 * `aws cloudformation deploy` and SAM, Terraform.
 */
const NO_CHANGE = [
  /No changes to deploy\. Deployment skipped/,
  /Service files not changed\. Skipping deployment/,
  /No changes to deploy\. Stack \S+ is up to date/,
  /No changes\. Your infrastructure matches the configuration/,
  /Apply complete! Resources: 0 added, 0 changed, 0 destroyed/,
];

/** Whether a deploy's last lines say it changed nothing. */
export const saidNoChange = (lines: readonly string[]): boolean =>
  lines.some((line) => NO_CHANGE.some((pattern) => pattern.test(line)));

/**
 * Runs a deploy tool and says what it did: the stack's outputs, and whether it changed anything. Where
 * the service has a stack, CloudFormation decides: its newest event before and after (a change set
 * with nothing in it, or a deploy the tool skipped, leaves none), whatever the tool printed. Without
 * one (not created, not known, not readable), `withoutStack` reads the tool's words.
 */
export async function toolDeploy(
  context: DeployContext,
  deploy: () => Promise<readonly string[]>,
  withoutStack: (said: readonly string[]) => boolean | null,
): Promise<DeployOutcome> {
  const mark = async (): Promise<string | null> => {
    if (context.stackName === null) return null;
    try {
      return await stackMark(context.access, context.region, context.stackName);
    } catch (error) {
      context.log(`cannot tell from CloudFormation whether the stack moved (${(error as Error).message})`);
      return null;
    }
  };
  const before = await mark();
  const said = await deploy();
  const after = await mark();
  const changed = after === null ? withoutStack(said) : before !== after;
  if (context.stackName === null) return { outputs: {}, changed };
  return { outputs: (await stackOutputs(context.access, context.region, context.stackName)) ?? {}, changed };
}

/**
 * Runs a deploy tool in `context.dir` and returns its last lines; a failure is a DeployFailure that
 * says whether trying again may help (throttling, a busy stack).
 */
export async function runDeployTool(
  file: string,
  args: readonly string[],
  context: DeployContext,
): Promise<string[]> {
  try {
    return await runCommand(file, args, context);
  } catch (error) {
    if (!(error instanceof CommandFailed)) throw error;
    throw new DeployFailure(error.message, looksTransient(error.tail.join('\n')));
  }
}
