// New code for functions that infrastructure owns: build a deterministic zip, skip it if the alias
// already serves it, else upload it, update the code, publish a version and move the stage's alias.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stackOutputs } from '../aws/cloudformation.js';
import type { LambdaDeployerConfig } from '../config/config.js';
import { startUnlessInterrupted } from '../run/interrupts.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import {
  DeployFailure,
  looksTransient,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import {
  deployedCode,
  pointAlias,
  readAlias,
  rollBackAliases,
  type AliasMove,
  type AliasState,
  type AliasTarget,
} from './lambda-alias.js';
import { functionNames } from './lambda-functions.js';
import { publish, uploadZip } from './lambda-code.js';
import { layerVersion } from './lambda-layer.js';
import { buildCodeZip, codeZip, type CodeZip } from './lambda-zip.js';
import { rollOut } from './rollout.js';

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

  private async ship(context: DeployContext, zipped: () => Promise<CodeZip>): Promise<DeployOutcome> {
    try {
      return await this.shipZip(context, await zipped());
    } catch (error) {
      // An AWS error (throttled, an update in progress) is a failed deploy, retried when it may
      // pass; the SDK's service errors carry $metadata. Anything else is already what it should be.
      if (!(error instanceof Error) || !('$metadata' in error)) throw error;
      const message = `${error.name}: ${error.message}`;
      throw new DeployFailure(message, looksTransient(message));
    }
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

    const moves: AliasMove[] = [];
    for (const [index, target] of targets.entries()) {
      if (serving[index] === true) continue;
      const version = await publish(target, zip, key, layer);
      const from = aliases[index] ?? null;
      if (from === null) {
        // Nothing served before: there is no traffic to shift, and nothing to roll back to.
        await pointAlias(target, { version, previous: null }, false);
        context.log(`${target.function}: version ${version}, alias ${target.alias} created`);
      } else if (from.version === version) {
        await pointAlias(target, { version, previous: from.previous });
      } else {
        context.log(
          `${target.function}: version ${version} published (alias ${target.alias} on ${from.version})`,
        );
        moves.push({ target, from, to: version });
      }
    }
    const rollout = this.config.rollout;
    if (rollout === undefined) {
      for (const move of moves) await moveAlias(move.target, move.from, move.to, context);
    } else if (moves.length > 0) {
      await rollOut(moves, rollout, context);
    }
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
    return names.map((name) => ({ function: name, alias, region: context.region }));
  }

  private async ownOutputs(context: DeployContext): Promise<Record<string, string>> {
    if (context.stackName === null) return {};
    return (await stackOutputs(context.region, context.stackName)) ?? {};
  }
}

async function moveAlias(
  target: AliasTarget,
  from: AliasState,
  to: string,
  context: DeployContext,
): Promise<void> {
  await pointAlias(target, { version: to, previous: from.version });
  context.log(`${target.function}: alias ${target.alias} moved from version ${from.version} to ${to}`);
}
