// How a promotion deploys: each service at the commit its source stage proved, from the package that
// stage kept; a stage-bound package (Serverless) is made again for the target and deployed only if its
// code is byte for byte what the source ran.
import type { PackageName, ServiceRecord } from '@shipgraph/core';
import { type Keeping } from '../artifacts/keeping.js';
import { withTempDir } from '../artifacts/kept-deploy.js';
import { packageContents } from '../artifacts/package-files.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { CliError } from '../errors.js';

export interface PromotionSource {
  stage: string;
  store: ArtifactStore;
  records: Readonly<Record<PackageName, ServiceRecord>>;
  /** The checkout's fingerprint of a service: a stage-bound package is made from the checkout. */
  fingerprintAtCheckout: (service: PackageName) => string;
}

export function promotedFrom(source: PromotionSource): Keeping {
  const recordOf = (service: PackageName): ServiceRecord => {
    const record = source.records[service];
    if (record?.artifact === undefined) throw new Error(`promoting ${service} without an artifact`);
    return record;
  };
  return {
    commitOf: (service, head) => source.records[service]?.commit ?? head,
    deploy: async (deployer, context) => {
      const record = recordOf(context.service);
      const packaging = deployer.packaging;
      if (packaging === undefined) {
        throw new CliError('E_ARTIFACT', `${context.service}'s deployer makes no package to promote`, {
          hint: 'give a command deployer a "package" command (see the README)',
        });
      }
      return withTempDir(async (dir) => {
        if (!packaging.stageBound) {
          const kept = await source.store.manifest(context.service, record.commit, null);
          if (kept === null) throw missing(context.service, source.stage, record.commit);
          await source.store.fetch(kept, dir);
          context.log(`deploying the package ${source.stage} kept for ${record.commit.slice(0, 12)}`);
          return { ...(await packaging.deployPackage(context, dir)), code: kept.code };
        }
        if (source.fingerprintAtCheckout(context.service) !== record.fingerprint) {
          throw new CliError(
            'E_ARTIFACT_MISMATCH',
            `the checkout's ${context.service} is not what ${source.stage} deployed (${record.commit.slice(0, 12)})`,
            {
              hint: `run promote at the commit ${source.stage} deployed, where the service is as it was tested`,
            },
          );
        }
        const proven = new Set<string>();
        for (const region of record.regions) {
          const kept = await source.store.manifest(context.service, record.commit, region);
          if (kept !== null) proven.add(kept.code);
        }
        if (proven.size === 0) throw missing(context.service, source.stage, record.commit);
        await packaging.package(context, dir);
        const made = await packageContents(dir, (path) => packaging.isCode?.(path) ?? true);
        if (!proven.has(made.code)) {
          throw new CliError(
            'E_ARTIFACT_MISMATCH',
            `${context.service}'s code packaged for ${context.stage} differs from what ${source.stage} ran (${made.code.slice(0, 12)}, not ${[...proven].map((code) => code.slice(0, 12)).join(' or ')})`,
            {
              hint: 'make the build reproducible (same inputs, same bytes: pinned dependencies, no stage in the bundle)',
            },
          );
        }
        context.log(
          `packaged for ${context.stage}: its code is what ${source.stage} ran (${made.code.slice(0, 12)})`,
        );
        return { ...(await packaging.deployPackage(context, dir)), code: made.code };
      });
    },
    recorded: (service, commit) =>
      Promise.resolve({
        artifact: recordOf(service).artifact,
        promotedFrom: { stage: source.stage, commit },
      }),
  };
}

const missing = (service: PackageName, stage: string, commit: string): CliError =>
  new CliError('E_ARTIFACT', `the package ${stage} kept of ${service} at ${commit.slice(0, 12)} is gone`, {
    hint: `deploy ${service} to ${stage} again (it keeps a new package), then promote`,
  });
