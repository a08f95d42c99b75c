// The dependencies layer of the lambda deployer: a new layer version only when the service's resolved
// dependencies changed, known from the lockfile without building; else, when its zip's bytes changed.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LayerVersionsListItem } from '@aws-sdk/client-lambda';
import type { LambdaDeployerConfig } from '../../config/config.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import type { DeployContext } from '../contract.js';
import { uploadZip } from './code.js';
import { zipFolder } from './zip.js';
import { runDeployTool } from '../tool.js';

type LayerConfig = NonNullable<LambdaDeployerConfig['layer']>;

/** How a layer version's Description (at most 256 characters) names the dependencies it was built from. */
const KEY_PREFIX = 'shipgraph deps ';
const KEYED = /^shipgraph deps ([0-9a-f]{64})(?: |$)/;

/**
 * The ARN of the layer version with the service's dependencies: the newest, if its Description
 * carries the key of the dependencies (nothing is built); else built and published, unless shipgraph
 * cannot tell what the dependencies are and the newest has the same zip.
 */
export async function layerVersion(
  layer: LayerConfig,
  bucket: string,
  context: DeployContext,
): Promise<string> {
  const sdk = await import('@aws-sdk/client-lambda');
  const client = await context.access.lambda(context.region);
  const LayerName = fillPlaceholders(layer.name, context.stage, context.region);
  const command = layer.build.command.map((part) => fillPlaceholders(part, context.stage, context.region));
  const resolved = await context.resolvedDependencies();
  // The build's command and folder count too: another command installs other files from the same lockfile.
  const key = resolved.known
    ? createHash('sha256')
        .update(JSON.stringify([resolved.key, command, layer.build.dir]))
        .digest('hex')
    : null;

  const listed = await client
    .send(new sdk.ListLayerVersionsCommand({ LayerName }))
    .catch((error: unknown) => {
      if (error instanceof sdk.ResourceNotFoundException) return { LayerVersions: [] };
      throw error;
    });
  const newest = (listed.LayerVersions ?? []).reduce<LayerVersionsListItem | null>(
    (found, item) => ((item.Version ?? 0) > (found?.Version ?? 0) ? item : found),
    null,
  );
  const newestKey = KEYED.exec(newest?.Description ?? '')?.[1] ?? null;
  if (key !== null && newestKey === key && newest?.LayerVersionArn !== undefined) {
    context.log(
      `layer ${LayerName}: resolved dependencies unchanged (${key.slice(0, 12)}), version ${newest.Version ?? '?'}; not built`,
    );
    return newest.LayerVersionArn;
  }
  if (!resolved.known) {
    // Never skipped for want of a key: the build runs, and its zip decides.
    context.log(
      `layer ${LayerName}: cannot tell whether its dependencies changed (${resolved.why}); building it to compare its zip`,
    );
  }

  const [file = '', ...args] = command;
  await runDeployTool(file, args, context);
  const zip = await zipFolder(join(context.dir, layer.build.dir));
  if (key === null && newest?.Version !== undefined) {
    // The newest version's contents (ListLayerVersions does not give them).
    const found = await client.send(
      new sdk.GetLayerVersionCommand({ LayerName, VersionNumber: newest.Version }),
    );
    if (found.Content?.CodeSha256 === zip.sha256 && found.LayerVersionArn !== undefined) {
      context.log(`layer ${LayerName}: same zip as version ${newest.Version}`);
      return found.LayerVersionArn;
    }
  }
  const code = await uploadZip(zip, bucket, context, 'layer');
  const published = await client.send(
    new sdk.PublishLayerVersionCommand({
      LayerName,
      Content: { S3Bucket: code.bucket, S3Key: code.key },
      Description:
        key === null
          ? `shipgraph ${context.service} ${context.commit}`
          : `${KEY_PREFIX}${key} ${context.commit}`,
    }),
  );
  if (published.LayerVersionArn === undefined)
    throw new Error(`PublishLayerVersion of ${LayerName} gave no ARN`);
  const why =
    newest === null
      ? 'its first version'
      : key === null
        ? 'its zip changed'
        : newestKey === null
          ? `version ${newest.Version ?? '?'} names no resolved dependencies`
          : 'resolved dependencies changed';
  context.log(`layer ${LayerName}: ${why}, version ${published.Version ?? '?'} published`);
  return published.LayerVersionArn;
}
