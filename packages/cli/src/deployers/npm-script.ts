// Runs the service's deploy script through the workspace's package manager, with --stage and --region.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageManager, runScriptArgs } from '../process/package-manager.js';
import {
  withPackageDir,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import { runDeployTool, saidNoChange, toolDeploy } from './tool.js';

export class NpmScriptDeployer implements Deployer {
  constructor(private readonly script: string) {}

  // With a `package` script: it writes the package to $SHIPGRAPH_PACKAGE_DIR, and the deploy script,
  // given the same variable, deploys it. The package must not depend on the stage.
  readonly packaging: Packaging = {
    stageBound: false,
    available: async (context) => {
      const manifest = JSON.parse(await readFile(join(context.dir, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      return typeof manifest.scripts?.package === 'string';
    },
    package: async (context, dir) => {
      const manager = await packageManager(context.root);
      await runDeployTool(
        manager,
        runScriptArgs(manager, 'package', stageFlags(context)),
        withPackageDir(context, dir),
      );
    },
    deployPackage: (context, dir) => this.deploy(withPackageDir(context, dir)),
  };

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    const manager = await packageManager(context.root);
    // A script may run any tool: without a stack to ask, it changed nothing if the tool says so, else
    // shipgraph cannot tell.
    return toolDeploy(
      context,
      () => runDeployTool(manager, runScriptArgs(manager, this.script, stageFlags(context)), context),
      (said) => (saidNoChange(said) ? false : null),
    );
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
