// New code for functions that infrastructure owns: build a deterministic zip, skip it if the alias
// already serves it, else upload it, update the code, publish a version and move the stage's alias.
import { setTimeout as sleep } from 'node:timers/promises';
import { stackOutputs } from '../aws/cloudformation.js';
import { codeBucketS3, lambda } from '../aws/lambda.js';
import type { LambdaDeployerConfig } from '../config/config.js';
import { CliError } from '../errors.js';
import { startUnlessInterrupted } from '../run/interrupts.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import { DeployFailure, type DeployContext, type DeployOutcome, type Deployer } from './contract.js';
import { codeSha256, pointAlias, readAlias, type AliasState, type AliasTarget } from './lambda-alias.js';
import { functionNames } from './lambda-functions.js';
import { buildCodeZip, type CodeZip } from './lambda-zip.js';
import { rollOut, type AliasMove } from './rollout.js';

export class LambdaDeployer implements Deployer {
  constructor(private readonly config: LambdaDeployerConfig) {}

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    const targets = await this.targets(context);
    const zip = await buildCodeZip(this.config, context);
    context.log(`code zip: ${zip.bytes.length} bytes, CodeSha256 ${zip.sha256}`);
    const aliases = await Promise.all(targets.map((target) => readAlias(target)));
    const serving = await Promise.all(
      targets.map(async (target, index) => {
        const alias = aliases[index] ?? null;
        if (alias === null || Object.keys(alias.weights).length > 0) return false;
        return (await codeSha256(target, alias.version)) === zip.sha256;
      }),
    );
    const outputs = await this.ownOutputs(context);
    if (serving.every(Boolean)) {
      for (const target of targets) context.log(`${target.function}:${target.alias} already runs this code`);
      return { outputs, changed: false };
    }
    startUnlessInterrupted(context.signal);
    const key = await this.upload(zip, context);

    const moves: AliasMove[] = [];
    for (const [index, target] of targets.entries()) {
      if (serving[index] === true) continue;
      const version = await publish(target, zip, key);
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
      const alarms = (rollout.alarms ?? []).map((name) =>
        fillPlaceholders(name, context.stage, context.region),
      );
      await rollOut(moves, rollout, alarms, context);
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
    const targets = await this.targets(context);
    const found = await Promise.all(targets.map((target) => readAlias(target)));
    // Checked for every function first: a rollback moves all of them or none.
    const back = targets.map((target, index) => {
      const alias = found[index] ?? null;
      if (alias?.previous == null) {
        throw new CliError(
          'E_ROLLBACK',
          `${target.function}:${target.alias} has no previous version to go back to`,
          {
            hint: 'shipgraph records the version before each move on the alias; deploy a version first',
          },
        );
      }
      return { target, alias, previous: alias.previous };
    });
    const lines: string[] = [];
    for (const { target, alias, previous } of back) {
      startUnlessInterrupted(context.signal);
      // The version rolled back from becomes the previous one: a second rollback goes forward again.
      await pointAlias(target, { version: previous, previous: alias.version });
      lines.push(`${target.function}:${target.alias} version ${alias.version} → ${previous}`);
      context.log(lines.at(-1) ?? '');
    }
    return lines;
  }

  private async targets(context: DeployContext): Promise<AliasTarget[]> {
    const alias = fillPlaceholders(this.config.alias ?? context.stage, context.stage, context.region);
    const names = await functionNames(this.config.functions, context);
    return names.map((name) => ({ function: name, alias, region: context.region }));
  }

  /** Uploads the zip as `<service>/<commit>.zip` and `<service>/latest.zip`; returns the commit's key. */
  private async upload(zip: CodeZip, context: DeployContext): Promise<{ bucket: string; key: string }> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const bucket = fillPlaceholders(this.config.bucket, context.stage, context.region);
    const s3 = await codeBucketS3(context.region);
    const key = `${context.service}/${context.commit}.zip`;
    for (const Key of [key, `${context.service}/latest.zip`]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: zip.bytes }));
      context.log(`uploaded s3://${bucket}/${Key}`);
    }
    return { bucket, key };
  }

  private async ownOutputs(context: DeployContext): Promise<Record<string, string>> {
    if (context.stackName === null) return {};
    return (await stackOutputs(context.region, context.stackName)) ?? {};
  }
}

/** Updates the code from S3 unless `$LATEST` has it, waits until it is applied, and publishes it. */
async function publish(
  target: AliasTarget,
  zip: CodeZip,
  code: { bucket: string; key: string },
): Promise<string> {
  const sdk = await import('@aws-sdk/client-lambda');
  const client = await lambda(target.region);
  const FunctionName = target.function;
  if ((await codeSha256(target, '$LATEST')) !== zip.sha256) {
    await client.send(
      new sdk.UpdateFunctionCodeCommand({ FunctionName, S3Bucket: code.bucket, S3Key: code.key }),
    );
    await updateApplied(target);
  }
  // With CodeSha256, Lambda refuses to publish code other than ours (someone updated it meanwhile).
  const published = await client.send(
    new sdk.PublishVersionCommand({ FunctionName, CodeSha256: zip.sha256 }),
  );
  if (published.Version === undefined) throw new Error(`PublishVersion of ${FunctionName} gave no version`);
  return published.Version;
}

/** Polls LastUpdateStatus until the update is Successful; Failed is a failed deploy, with Lambda's reason. */
async function updateApplied(target: AliasTarget): Promise<void> {
  const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
  const client = await lambda(target.region);
  for (let waited = 0; waited < 600; waited++) {
    const found = await client.send(new GetFunctionConfigurationCommand({ FunctionName: target.function }));
    if (found.LastUpdateStatus === 'Successful' || found.LastUpdateStatus === undefined) return;
    if (found.LastUpdateStatus === 'Failed') {
      throw new DeployFailure(
        `${target.function}: code update failed: ${found.LastUpdateStatusReason ?? 'no reason given'}`,
        false,
      );
    }
    await sleep(1000);
  }
  throw new DeployFailure(`${target.function}: code update still in progress after 10 minutes`, true);
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
