// New code for functions that infrastructure owns: build a deterministic zip, skip it if the alias
// already serves it, else upload it, update the code, publish a version and move the stage's alias.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stackOutputs } from '../aws/cloudformation.js';
import type { LambdaDeployerConfig } from '../config/config.js';
import { startUnlessInterrupted } from '../process/interrupts.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import {
  awsFailures,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import { moveAliases, type Published } from './lambda/alias-moves.js';
import { deployedCode, readAlias, rollBackAliases, type AliasTarget } from './lambda/alias.js';
import { functionNames } from './lambda/functions.js';
import { publish, uploadZip } from './lambda/code.js';
import { layerVersion } from './lambda/layer.js';
import { buildCodeZip, codeZip, type CodeZip } from './lambda/zip.js';

const PACKAGED_ZIP = 'code.zip';

export class LambdaDeployer implements Deployer {
  constructor(private readonly config: LambdaDeployerConfig) {}

  deploy(context: DeployContext): Promise<DeployOutcome> {
    return this.ship(context, () => buildCodeZip(this.config, context));
  }

  // The package is the code zip, built once: promote deploys the same bytes to another stage, so the
  // build must not depend on the stage.
  readonly packaging: Packaging = {
    stageBound: false,
    package: async (context, dir) => {
      await writeFile(join(dir, PACKAGED_ZIP), (await buildCodeZip(this.config, context)).bytes);
    },
    deployPackage: (context, dir) =>
      this.ship(context, async () => codeZip(await readFile(join(dir, PACKAGED_ZIP)))),
  };

  private ship(context: DeployContext, zipped: () => Promise<CodeZip>): Promise<DeployOutcome> {
    return awsFailures(async () => this.shipZip(context, await zipped()));
  }

  private async shipZip(context: DeployContext, zip: CodeZip): Promise<DeployOutcome> {
    const targets = await this.targets(context);
    context.log(`code zip: ${zip.bytes.length} bytes, CodeSha256 ${zip.sha256}`);
    const layer =
      this.config.layer === undefined
        ? null
        : await layerVersion(this.config.layer, this.config.bucket, context);
    const aliases = await Promise.all(targets.map((target) => readAlias(target)));
    const serving = await Promise.all(
      targets.map(async (target, index) => {
        const alias = aliases[index] ?? null;
        if (alias === null || Object.keys(alias.weights).length > 0) return false;
        const served = await deployedCode(target, alias.version);
        return served.sha256 === zip.sha256 && (layer === null || served.layers.includes(layer));
      }),
    );
    const outputs = await this.ownOutputs(context);
    if (serving.every(Boolean)) {
      for (const target of targets) context.log(`${target.function}:${target.alias} already runs this code`);
      return { outputs, changed: false };
    }
    startUnlessInterrupted(context.signal);
    const key = await uploadZip(zip, this.config.bucket, context);

    const published: Published[] = [];
    for (const [index, target] of targets.entries()) {
      if (serving[index] === true) continue;
      const version = await publish(target, zip, key, layer);
      published.push({ target, from: aliases[index] ?? null, version });
    }
    await moveAliases(published, this.config.rollout, context);
    return { outputs, changed: true };
  }

  /** Infrastructure owns the functions: destroy forgets the service and leaves them. */
  remove(context: DeployContext): Promise<void> {
    context.log(`${context.service}: its functions belong to their infrastructure; nothing removed`);
    return Promise.resolve();
  }

  /** Moves each alias back to the version it served before the last move. */
  async rollback(context: DeployContext): Promise<string[]> {
    return rollBackAliases(await this.targets(context), context);
  }

  private async targets(context: DeployContext): Promise<AliasTarget[]> {
    const alias = fillPlaceholders(this.config.alias ?? context.stage, context.stage, context.region);
    const names = await functionNames(this.config.functions, context);
    return names.map((name) => ({ function: name, alias, region: context.region, access: context.access }));
  }

  private async ownOutputs(context: DeployContext): Promise<Record<string, string>> {
    if (context.stackName === null) return {};
    return (await stackOutputs(context.access, context.region, context.stackName)) ?? {};
  }
}
