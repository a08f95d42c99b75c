// A stage's artifact store: each deploy's package under s3://bucket/<prefix>/<service>/<commit>/, a
// manifest of its files last (a package without one is incomplete), and a `latest` pointer per stage.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactRef, CommitSha, PackageName } from '@shipgraph/core';
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
}

export class ArtifactStore {
  private readonly bucket: Bucket;
  private readonly prefix: string;

  constructor(
    config: { bucket: string; prefix: string; region: string },
    private readonly stage: string,
  ) {
    this.bucket = { name: config.bucket, region: config.region };
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

  /** Uploads the package in `dir`, then its manifest: a reader that finds the manifest finds every file. */
  async put(dir: string, manifest: PackageManifest): Promise<void> {
    const folder = this.folderOf(manifest.service, manifest.commit, manifest.region);
    for (const path of Object.keys(manifest.files)) {
      await putObject(this.bucket, `${folder}${path}`, await readFile(join(dir, path)));
    }
    await putObject(this.bucket, `${folder}manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
  }

  /** Downloads a package into `dir`, each file checked against the manifest's hash. */
  async fetch(manifest: PackageManifest, dir: string): Promise<void> {
    const folder = this.folderOf(manifest.service, manifest.commit, manifest.region);
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
