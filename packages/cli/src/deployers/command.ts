// Deploys with any command from the config (cdk, sam, terraform...), with {stage} and {region} filled in.
import { fillPlaceholders } from '../stacks/stack-name.js';
import {
  withPackageDir,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import { runDeployTool, saidNoChange, toolDeploy } from './tool.js';
import { CliError } from '../errors.js';

export class CommandDeployer implements Deployer {
  readonly packaging: Packaging | undefined;

  constructor(
    private readonly command: readonly string[],
    private readonly removeCommand: readonly string[] | null,
    packageCommand: readonly string[] | null = null,
  ) {
    // With a package command, the deploy command deploys what it wrote to $SHIPGRAPH_PACKAGE_DIR; the
    // package must not depend on the stage, as another stage deploys the same one.
    this.packaging =
      packageCommand === null
        ? undefined
        : {
            stageBound: false,
            package: async (context, dir) => {
              await this.run(packageCommand, withPackageDir(context, dir));
            },
            deployPackage: (context, dir) => this.deploy(withPackageDir(context, dir)),
          };
  }

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    // Any tool: without a stack to ask, it changed nothing if it says so (cdk, sam, terraform...), else
    // shipgraph cannot tell.
    return toolDeploy(
      context,
      () => this.run(this.command, context),
      (said) => (saidNoChange(said) ? false : null),
    );
  }

  async remove(context: DeployContext): Promise<void> {
    if (this.removeCommand === null) {
      throw new CliError('E_DEPLOYER', `${context.service} has no remove command`, {
        hint: `set services."${context.service}".deployer.remove in shipgraph.config.json`,
      });
    }
    await this.run(this.removeCommand, context);
  }

  private async run(command: readonly string[], context: DeployContext): Promise<string[]> {
    const [file = '', ...args] = command.map((part) => fillPlaceholders(part, context.stage, context.region));
    return runDeployTool(file, args, context);
  }
}
