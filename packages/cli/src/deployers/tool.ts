// Deploy tools run as processes (serverless, npm scripts, any command): their failures and their no-ops.
import { CommandFailed, runCommand } from '../process/run-command.js';
import { DeployFailure, looksTransient, type DeployContext } from './contract.js';

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
