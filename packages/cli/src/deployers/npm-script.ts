// Runs the service's deploy script through the workspace's package manager, with --stage and --region.
import { stackOutputs } from '../aws/cloudformation.js';
import { packageManager, runScriptArgs } from '../process/package-manager.js';
import type { DeployContext, DeployOutcome, Deployer } from './contract.js';
import { runDeployTool, saidNoChange } from './tool.js';

export class NpmScriptDeployer implements Deployer {
  constructor(private readonly script: string) {}

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    const manager = await packageManager(context.root);
    const said = await runDeployTool(
      manager,
      runScriptArgs(manager, this.script, stageFlags(context)),
      context,
    );
    // A script may run any tool: it changed nothing if the tool says so, else shipgraph cannot tell.
    const changed = saidNoChange(said) ? false : null;
    if (context.stackName === null) return { outputs: {}, changed };
    return { outputs: (await stackOutputs(context.region, context.stackName)) ?? {}, changed };
  }

  /** Runs the service's `remove` script, the same way. */
  async remove(context: DeployContext): Promise<void> {
    const manager = await packageManager(context.root);
    await runDeployTool(manager, runScriptArgs(manager, 'remove', stageFlags(context)), context);
  }
}

const stageFlags = (context: DeployContext): string[] => [
  '--stage',
  context.stage,
  '--region',
  context.region,
];
