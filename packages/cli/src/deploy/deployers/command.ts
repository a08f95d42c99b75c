// Deploys with any command from the config (cdk, sam, terraform...), with {stage} and {region} filled in.
import { stackOutputs } from '../../aws/cloudformation.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import type { DeployContext, Deployer } from '../deployer.js';
import { runDeployCommand } from './process.js';

export class CommandDeployer implements Deployer {
  constructor(private readonly command: readonly string[]) {}

  async deploy(context: DeployContext): Promise<Record<string, string>> {
    const [file = '', ...args] = this.command.map((part) =>
      fillPlaceholders(part, context.stage, context.region),
    );
    await runDeployCommand(file, args, context);
    if (context.stackName === null) return {};
    return (await stackOutputs(context.region, context.stackName)) ?? {};
  }
}
