// The default deployer for services with serverless.yml: `serverless deploy` from the nearest node_modules/.bin.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stackFunctions } from '../aws/cloudformation.js';
import type { ServerlessDeployerConfig } from '../config/config.js';
import { CliError } from '../errors.js';
import {
  awsFailures,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import { rollBackAliases } from './lambda/alias.js';
import { aliasOf, deployThroughAliases } from './lambda/serverless-aliases.js';
import { runDeployTool, saidNoChange, toolDeploy } from './tool.js';

export class ServerlessDeployer implements Deployer {
  /** Whether the functions' aliases follow each deploy (an alias or a rollout in the config). */
  private readonly aliased: boolean;
  readonly rollback?: (context: DeployContext) => Promise<string[]>;

  constructor(private readonly config: ServerlessDeployerConfig = { type: 'serverless' }) {
    this.aliased = config.alias !== undefined || config.rollout !== undefined;
    // Moves each function's alias back to the version it served before the last deploy.
    if (this.aliased) {
      this.rollback = async (context) => {
        const names =
          context.stackName === null
            ? []
            : await stackFunctions(context.access, context.region, context.stackName);
        const alias = aliasOf(this.config, context);
        return rollBackAliases(
          names.map((name) => ({ function: name, alias, region: context.region, access: context.access })),
          context,
        );
      };
    }
  }

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    if (!this.aliased) return this.run(context, []);
    // The template is checked before anything is deployed: packaged first, then deployed as packaged.
    const dir = await mkdtemp(join(tmpdir(), 'shipgraph-serverless-'));
    try {
      await this.packaging.package(context, dir);
      return await this.packaging.deployPackage(context, dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  // `serverless package` writes its templates for one stage and region, with the code as zips.
  readonly packaging: Packaging = {
    stageBound: true,
    package: async (context, dir) => {
      const bin = await findBin('serverless', context.dir);
      await runDeployTool(bin, ['package', ...where(context), '--package', dir], context);
    },
    deployPackage: (context, dir) => {
      const deploy = () => this.run(context, ['--package', dir]);
      return this.aliased
        ? awsFailures(() => deployThroughAliases(this.config, context, dir, deploy))
        : deploy();
    },
    isCode: (path) => path.endsWith('.zip'),
  };

  private async run(context: DeployContext, extra: readonly string[]): Promise<DeployOutcome> {
    const bin = await findBin('serverless', context.dir);
    // Without a stack to ask: the Framework compares its package with the last deployed one and says so.
    return toolDeploy(
      context,
      () => runDeployTool(bin, ['deploy', ...where(context), ...extra], context),
      (said) => !saidNoChange(said),
    );
  }

  async remove(context: DeployContext): Promise<void> {
    const bin = await findBin('serverless', context.dir);
    await runDeployTool(bin, ['remove', ...where(context)], context);
  }
}

const where = (context: DeployContext): string[] => ['--stage', context.stage, '--region', context.region];

/** `node_modules/.bin/<name>` in the directory or the nearest parent that has it. */
export async function findBin(name: string, from: string): Promise<string> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      if (dirname(dir) === dir) break;
    }
  }
  throw new CliError('E_DEPLOYER', `no ${name} binary in node_modules/.bin above ${from}`, {
    hint: 'install the Serverless Framework in the workspace (npm i -D osls, or serverless for v4)',
  });
}
