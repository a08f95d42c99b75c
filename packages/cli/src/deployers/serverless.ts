// The default deployer for services with serverless.yml: `serverless deploy` from the nearest node_modules/.bin.
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stackOutputs } from '../aws/cloudformation.js';
import type { DeployContext, DeployOutcome, Deployer, Packaging } from './contract.js';
import { runDeployTool, saidNoChange } from './tool.js';
import { CliError } from '../errors.js';

export class ServerlessDeployer implements Deployer {
  deploy(context: DeployContext): Promise<DeployOutcome> {
    return this.run(context, []);
  }

  // `serverless package` writes its templates for one stage and region, with the code as zips.
  readonly packaging: Packaging = {
    stageBound: true,
    package: async (context, dir) => {
      const bin = await findBin('serverless', context.dir);
      await runDeployTool(bin, ['package', ...where(context), '--package', dir], context);
    },
    deployPackage: (context, dir) => this.run(context, ['--package', dir]),
    isCode: (path) => path.endsWith('.zip'),
  };

  private async run(context: DeployContext, extra: readonly string[]): Promise<DeployOutcome> {
    const bin = await findBin('serverless', context.dir);
    const said = await runDeployTool(bin, ['deploy', ...where(context), ...extra], context);
    // The Serverless Framework compares its package with the last deployed one and says so.
    const changed = !saidNoChange(said);
    if (context.stackName === null) return { outputs: {}, changed };
    return { outputs: (await stackOutputs(context.region, context.stackName)) ?? {}, changed };
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
