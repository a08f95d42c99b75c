// A stage's artifact store: each deploy's package under s3://bucket/<prefix>/<service>/<commit>/, a
// manifest of its files last (a package without one is incomplete), and a `latest` pointer per stage.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactRef, CommitSha, PackageName } from '@shipgraph/core';
import { StageAccess } from '../aws/access.js';
import { getObject, putObject, type Bucket } from '../aws/s3.js';
import { CliError } from '../errors.js';
import { fileSafe } from '../steps/outputs.js';
import { sha256, type PackageContents } from './package-files.js';

export interface PackageManifest extends PackageContents {
  version: 1;
  service: PackageName;
  commit: CommitSha;
  /** The stage and region it was made for; null when the package serves any (stage-agnostic deployers). */
  stage: string | null;
  region: string | null;
  fingerprint: string | null;
  /** Where the files are, when they were kept by another commit with the same fingerprint. */
  folder?: string;
}

export class ArtifactStore {
  private readonly bucket: Bucket;
  private readonly prefix: string;

  constructor(
    config: { bucket: string; prefix: string; region: string },
    private readonly stage: string,
  ) {
    // The build's own credentials: the artifact bucket lives with the CI, whichever account a stage deploys to.
    this.bucket = {
      name: config.bucket,
      region: config.region,
      access: StageAccess.ofBuild('the artifact store', config.region),
    };
    this.prefix = config.prefix;
  }

  /** Where a service's packages of one commit live; a stage-bound package has a folder per region. */
  folderOf(service: PackageName, commit: CommitSha, region: string | null): string {
    const base = `${this.prefix}/${fileSafe(service)}/${commit}/`;
    return region === null ? base : `${base}${region}/`;
  }

  /** The record's reference to a service's packages of one commit: their code hashes, hashed together. */
  refOf(service: PackageName, commit: CommitSha, codes: readonly string[]): ArtifactRef {
    const code = [...new Set(codes)].sort();
    return {
      uri: `s3://${this.bucket.name}/${this.folderOf(service, commit, null)}`,
      sha256: code.length === 1 && code[0] !== undefined ? code[0] : sha256(code.join('\n')),
    };
  }

  async manifest(
    service: PackageName,
    commit: CommitSha,
    region: string | null,
  ): Promise<PackageManifest | null> {
    const key = `${this.folderOf(service, commit, region)}manifest.json`;
    const found = await getObject(this.bucket, key);
    if (found === null) return null;
    try {
      return JSON.parse(new TextDecoder().decode(found)) as PackageManifest;
    } catch (error) {
      throw new CliError('E_ARTIFACT', `s3://${this.bucket.name}/${key} is not a package manifest`, {
        hint: 'delete the folder; the next deploy of this commit packages it again',
        cause: error,
      });
    }
  }

  /** Whether the package a record names is still here (stage-agnostic, or kept for one of its regions). */
  async has(service: PackageName, commit: CommitSha, regions: readonly string[]): Promise<boolean> {
    for (const region of [null, ...regions]) {
      const key = `${this.folderOf(service, commit, region)}manifest.json`;
      if ((await getObject(this.bucket, key)) !== null) return true;
    }
    return false;
  }

  /**
   * Uploads the package in `dir`, then its manifest (a reader that finds the manifest finds every
   * file), then the pointer from its fingerprint, by which a later commit finds it.
   */
  async put(dir: string, manifest: PackageManifest): Promise<void> {
    const folder = this.folderOf(manifest.service, manifest.commit, manifest.region);
    for (const path of Object.keys(manifest.files)) {
      await putObject(this.bucket, `${folder}${path}`, await readFile(join(dir, path)));
    }
    await this.putManifest(manifest);
  }

  /** The package kept for the same fingerprint (by any commit), stage and region, or null. */
  async byFingerprint(
    service: PackageName,
    fingerprint: string,
    where: { stage: string | null; region: string | null },
  ): Promise<PackageManifest | null> {
    const pointer = await getObject(this.bucket, this.pointerKey(service, fingerprint, where));
    if (pointer === null) return null;
    const { commit } = JSON.parse(new TextDecoder().decode(pointer)) as { commit: CommitSha };
    const found = await this.manifest(service, commit, where.region);
    return found?.fingerprint === fingerprint && found.stage === where.stage ? found : null;
  }

  /** Records that `commit` deploys the package `kept` holds: a manifest in its folder naming the files' folder. */
  async reuse(kept: PackageManifest, commit: CommitSha): Promise<PackageManifest> {
    const folder = kept.folder ?? this.folderOf(kept.service, kept.commit, kept.region);
    const manifest = { ...kept, commit, folder };
    await this.putManifest(manifest);
    return manifest;
  }

  private async putManifest(manifest: PackageManifest): Promise<void> {
    const folder = this.folderOf(manifest.service, manifest.commit, manifest.region);
    await putObject(this.bucket, `${folder}manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
    if (manifest.fingerprint !== null) {
      const key = this.pointerKey(manifest.service, manifest.fingerprint, manifest);
      await putObject(this.bucket, key, JSON.stringify({ commit: manifest.commit }) + '\n');
    }
  }

  private pointerKey(
    service: PackageName,
    fingerprint: string,
    where: { stage: string | null; region: string | null },
  ): string {
    const suffix = where.stage === null ? '' : `.${where.stage}.${where.region ?? ''}`;
    return `${this.prefix}/${fileSafe(service)}/fingerprints/${fileSafe(fingerprint)}${suffix}.json`;
  }

  /** Downloads a package into `dir`, each file checked against the manifest's hash. */
  async fetch(manifest: PackageManifest, dir: string): Promise<void> {
    const folder = manifest.folder ?? this.folderOf(manifest.service, manifest.commit, manifest.region);
    for (const [path, hash] of Object.entries(manifest.files)) {
      const bytes = await getObject(this.bucket, `${folder}${path}`);
      if (bytes === null || sha256(bytes) !== hash) {
        throw new CliError(
          'E_ARTIFACT',
          `s3://${this.bucket.name}/${folder}${path} is missing or changed since it was kept`,
          {
            hint: 'the package cannot be trusted: deploy the service again from its commit',
          },
        );
      }
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), bytes);
    }
  }

  /** `<prefix>/<service>/latest-<stage>.json`: what the stage last deployed of the service. */
  async pointLatest(service: PackageName, commit: CommitSha, ref: ArtifactRef): Promise<void> {
    const key = `${this.prefix}/${fileSafe(service)}/latest-${this.stage}.json`;
    await putObject(this.bucket, key, JSON.stringify({ commit, ...ref }, null, 2) + '\n');
  }
}
