// The lambda deployer's code in the cloud: the zip uploaded to S3, the function updated from it, a version published.
import { setTimeout as sleep } from 'node:timers/promises';
import { codeBucketS3, lambda } from '../aws/lambda.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import { DeployFailure, type DeployContext } from './contract.js';
import { codeSha256, type AliasTarget } from './lambda-alias.js';
import type { CodeZip } from './lambda-zip.js';

export interface CodeObject {
  bucket: string;
  key: string;
}

/** Uploads the zip as `<service>/<commit>.zip` and `<service>/latest.zip`; returns the commit's key. */
export async function uploadZip(
  zip: CodeZip,
  bucketTemplate: string,
  context: DeployContext,
): Promise<CodeObject> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const bucket = fillPlaceholders(bucketTemplate, context.stage, context.region);
  const s3 = await codeBucketS3(context.region);
  const key = `${context.service}/${context.commit}.zip`;
  for (const Key of [key, `${context.service}/latest.zip`]) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: zip.bytes }));
    context.log(`uploaded s3://${bucket}/${Key}`);
  }
  return { bucket, key };
}

/** Updates the code from S3 unless `$LATEST` has it, waits until it is applied, and publishes it. */
export async function publish(target: AliasTarget, zip: CodeZip, code: CodeObject): Promise<string> {
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
