// The dependencies layer of the lambda deployer: a new layer version only when its zip's bytes changed
// (its build installs the service's resolved dependencies, and the zip is byte-stable).
import { join } from 'node:path';
import { lambda } from '../aws/lambda.js';
import type { LambdaDeployerConfig } from '../config/config.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import type { DeployContext } from './contract.js';
import { uploadZip } from './lambda-code.js';
import { zipFolder } from './lambda-zip.js';
import { runDeployTool } from './tool.js';

type LayerConfig = NonNullable<LambdaDeployerConfig['layer']>;

/** Builds the layer and returns the ARN of the layer version with its contents, published if new. */
export async function layerVersion(
  layer: LayerConfig,
  bucket: string,
  context: DeployContext,
): Promise<string> {
  const sdk = await import('@aws-sdk/client-lambda');
  const client = await lambda(context.region);
  const LayerName = fillPlaceholders(layer.name, context.stage, context.region);
  const [file = '', ...args] = layer.build.command.map((part) =>
    fillPlaceholders(part, context.stage, context.region),
  );
  await runDeployTool(file, args, context);
  const zip = await zipFolder(join(context.dir, layer.build.dir));

  // The newest version's contents (ListLayerVersions does not give them).
  const listed = await client
    .send(new sdk.ListLayerVersionsCommand({ LayerName }))
    .catch((error: unknown) => {
      if (error instanceof sdk.ResourceNotFoundException) return { LayerVersions: [] };
      throw error;
    });
  const newest = (listed.LayerVersions ?? []).reduce<number | null>(
    (found, item) => (item.Version !== undefined && item.Version > (found ?? 0) ? item.Version : found),
    null,
  );
  if (newest !== null) {
    const found = await client.send(new sdk.GetLayerVersionCommand({ LayerName, VersionNumber: newest }));
    if (found.Content?.CodeSha256 === zip.sha256 && found.LayerVersionArn !== undefined) {
      context.log(`layer ${LayerName}: dependencies unchanged, version ${newest}`);
      return found.LayerVersionArn;
    }
  }
  const code = await uploadZip(zip, bucket, context, 'layer');
  const published = await client.send(
    new sdk.PublishLayerVersionCommand({
      LayerName,
      Content: { S3Bucket: code.bucket, S3Key: code.key },
      Description: `shipgraph ${context.service} ${context.commit}`,
    }),
  );
  if (published.LayerVersionArn === undefined)
    throw new Error(`PublishLayerVersion of ${LayerName} gave no ARN`);
  context.log(`layer ${LayerName}: dependencies changed, version ${published.Version ?? '?'} published`);
  return published.LayerVersionArn;
}
