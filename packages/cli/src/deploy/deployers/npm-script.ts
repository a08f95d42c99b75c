// Runs the service's deploy script through the workspace's package manager, with --stage and --region.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { stackOutputs } from '../../aws/cloudformation.js';
import type { DeployContext, DeployOutcome, Deployer } from '../deployer.js';
import { runDeployCommand, saidNoChange } from './process.js';

export class NpmScriptDeployer implements Deployer {
  constructor(private readonly script: string) {}

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    const flags = ['--stage', context.stage, '--region', context.region];
    const manager = await packageManager(context.root);
    // npm needs `--` to pass flags to the script; pnpm and yarn pass them on as they are.
    const args = manager === 'npm' ? ['run', this.script, '--', ...flags] : ['run', this.script, ...flags];
    // A script may run any tool: it changed nothing if the tool says so, else shipgraph cannot tell.
    const changed = saidNoChange(await runDeployCommand(manager, args, context)) ? false : null;
    if (context.stackName === null) return { outputs: {}, changed };
    return { outputs: (await stackOutputs(context.region, context.stackName)) ?? {}, changed };
  }

  /** Runs the service's `remove` script, the same way. */
  async remove(context: DeployContext): Promise<void> {
    const manager = await packageManager(context.root);
    const flags = ['--stage', context.stage, '--region', context.region];
    const args = manager === 'npm' ? ['run', 'remove', '--', ...flags] : ['run', 'remove', ...flags];
    await runDeployCommand(manager, args, context);
  }
}

/** The workspace's package manager, from its lockfile. */
export async function packageManager(root: string): Promise<'npm' | 'pnpm' | 'yarn'> {
  const exists = (file: string) =>
    access(join(root, file)).then(
      () => true,
      () => false,
    );
  if (await exists('pnpm-lock.yaml')) return 'pnpm';
  if (await exists('yarn.lock')) return 'yarn';
  return 'npm';
}
