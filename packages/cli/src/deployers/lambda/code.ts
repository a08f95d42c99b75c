// The lambda deployer's code in the cloud: the zip uploaded to S3, the function updated from it, a version published.
import { setTimeout as sleep } from 'node:timers/promises';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import { DeployFailure, type DeployContext } from '../contract.js';
import { deployedCode, type AliasTarget } from './alias.js';
import type { CodeZip } from './zip.js';

export interface CodeObject {
  bucket: string;
  key: string;
}

/** Uploads the zip as `<service>/<commit>.zip` and `<service>/latest.zip`; returns the commit's key. */
export async function uploadZip(
  zip: CodeZip,
  bucketTemplate: string,
  context: DeployContext,
  /** `layer` for the dependencies layer: `<service>/layer-<commit>.zip`, `<service>/layer-latest.zip`. */
  kind: 'code' | 'layer' = 'code',
): Promise<CodeObject> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const bucket = fillPlaceholders(bucketTemplate, context.stage, context.region);
  const s3 = await context.access.s3(context.region);
  const prefix = kind === 'layer' ? 'layer-' : '';
  const key = `${context.service}/${prefix}${context.commit}.zip`;
  for (const Key of [key, `${context.service}/${prefix}latest.zip`]) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: zip.bytes }));
    context.log(`uploaded s3://${bucket}/${Key}`);
  }
  return { bucket, key };
}

/**
 * Updates the code from S3 unless `$LATEST` has it, and the layer unless `$LATEST` uses it, waiting
 * until each update is applied; then publishes the version.
 */
export async function publish(
  target: AliasTarget,
  zip: CodeZip,
  code: CodeObject,
  layer: string | null,
): Promise<string> {
  const sdk = await import('@aws-sdk/client-lambda');
  const client = await target.access.lambda(target.region);
  const FunctionName = target.function;
  const latest = await deployedCode(target, '$LATEST');
  if (latest.sha256 !== zip.sha256) {
    await client.send(
      new sdk.UpdateFunctionCodeCommand({ FunctionName, S3Bucket: code.bucket, S3Key: code.key }),
    );
    await updateApplied(target);
  }
  if (layer !== null && !latest.layers.includes(layer)) {
    // Other layers stay; an older version of this one is replaced.
    const Layers = [...latest.layers.filter((arn) => layerOf(arn) !== layerOf(layer)), layer];
    await client.send(new sdk.UpdateFunctionConfigurationCommand({ FunctionName, Layers }));
    await updateApplied(target);
  }
  // With CodeSha256, Lambda refuses to publish code other than ours (someone updated it meanwhile).
  return publishVersion(target, zip.sha256);
}

/**
 * Publishes `$LATEST` as a version and returns its number; Lambda returns the newest version instead
 * when code and configuration are unchanged since it. With `codeSha256`, only if `$LATEST` has that code.
 */
export async function publishVersion(target: AliasTarget, codeSha256?: string): Promise<string> {
  const { PublishVersionCommand } = await import('@aws-sdk/client-lambda');
  const published = await (
    await target.access.lambda(target.region)
  ).send(new PublishVersionCommand({ FunctionName: target.function, CodeSha256: codeSha256 }));
  if (published.Version === undefined)
    throw new Error(`PublishVersion of ${target.function} gave no version`);
  return published.Version;
}

/** Polls LastUpdateStatus until the update is Successful; Failed is a failed deploy, with Lambda's reason. */
async function updateApplied(target: AliasTarget): Promise<void> {
  const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
  const client = await target.access.lambda(target.region);
  for (let waited = 0; waited < 600; waited++) {
    const found = await client.send(new GetFunctionConfigurationCommand({ FunctionName: target.function }));
    if (found.LastUpdateStatus === 'Successful' || found.LastUpdateStatus === undefined) return;
    if (found.LastUpdateStatus === 'Failed') {
      throw new DeployFailure(
        `${target.function}: update failed: ${found.LastUpdateStatusReason ?? 'no reason given'}`,
        false,
      );
    }
    await sleep(1000);
  }
  throw new DeployFailure(`${target.function}: update still in progress after 10 minutes`, true);
}

/** `arn:...:layer:name:3` without its version: which layer a version belongs to. */
const layerOf = (versionArn: string): string => versionArn.replace(/:\d+$/, '');
