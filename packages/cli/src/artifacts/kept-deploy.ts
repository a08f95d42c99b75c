// A deploy in a stage that keeps artifacts: package once (or reuse the package kept for the same
// commit and fingerprint), upload it, then deploy exactly that package.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployContext, DeployOutcome, Deployer } from '../deployers/contract.js';
import { packageContents } from './package-files.js';
import type { ArtifactStore, PackageManifest } from './store.js';

/** What a kept deploy did, with the code hash of the package it deployed (null: nothing was kept). */
export interface KeptOutcome extends DeployOutcome {
  code: string | null;
}

export async function deployKept(
  deployer: Deployer,
  context: DeployContext,
  store: ArtifactStore,
  fingerprint: string | null,
): Promise<KeptOutcome> {
  const packaging = deployer.packaging;
  if (
    packaging === undefined ||
    (packaging.available !== undefined && !(await packaging.available(context)))
  ) {
    context.log('its deployer makes no package to keep: deployed from source, no artifact recorded');
    return { ...(await deployer.deploy(context)), code: null };
  }
  const region = packaging.stageBound ? context.region : null;
  const stage = packaging.stageBound ? context.stage : null;
  return withTempDir(async (dir) => {
    const kept =
      fingerprint === null
        ? null
        : await store.byFingerprint(context.service, fingerprint, { stage, region });
    let manifest: PackageManifest;
    if (kept !== null) {
      // The same inputs were packaged before (this commit, or one that did not touch the service).
      context.log(
        `deploying the package kept for ${kept.commit.slice(0, 12)}: same fingerprint, not built again`,
      );
      await store.fetch(kept, dir);
      manifest = kept.commit === context.commit ? kept : await store.reuse(kept, context.commit);
    } else {
      await packaging.package(context, dir);
      const contents = await packageContents(dir, (path) => packaging.isCode?.(path) ?? true);
      manifest = {
        version: 1,
        service: context.service,
        commit: context.commit,
        stage,
        region,
        fingerprint,
        ...contents,
      };
      await store.put(dir, manifest);
      context.log(
        `kept its package: ${Object.keys(manifest.files).length} files, code ${manifest.code.slice(0, 12)}`,
      );
    }
    return { ...(await packaging.deployPackage(context, dir)), code: manifest.code };
  });
}

/** Runs `work` with an empty temporary folder, removed afterwards however it ends. */
export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'shipgraph-package-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
