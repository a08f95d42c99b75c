// Deploys with any command from the config (cdk, sam, terraform...), with {stage} and {region} filled in.
import { ShipgraphError } from '@shipgraph/core';
import { stackOutputs } from '../../aws/cloudformation.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import type { DeployContext, Deployer } from '../deployer.js';
import { runDeployCommand } from './process.js';

export class CommandDeployer implements Deployer {
  constructor(
    private readonly command: readonly string[],
    private readonly removeCommand: readonly string[] | null,
  ) {}

  async deploy(context: DeployContext): Promise<Record<string, string>> {
    await this.run(this.command, context);
    if (context.stackName === null) return {};
    return (await stackOutputs(context.region, context.stackName)) ?? {};
  }

  async remove(context: DeployContext): Promise<void> {
    if (this.removeCommand === null) {
      throw new ShipgraphError('E_DEPLOYER', `${context.service} has no remove command`, {
        hint: `set services."${context.service}".deployer.remove in shipgraph.config.json`,
      });
    }
    await this.run(this.removeCommand, context);
  }

  private async run(command: readonly string[], context: DeployContext): Promise<void> {
    const [file = '', ...args] = command.map((part) => fillPlaceholders(part, context.stage, context.region));
    await runDeployCommand(file, args, context);
  }
}
