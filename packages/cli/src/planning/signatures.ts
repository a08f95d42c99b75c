// What each package resolves outside the repository (lockfile closure, root tooling), for fingerprints.
import {
  fingerprintsOf,
  toolingSignature,
  type Fingerprints,
  type PackageName,
  type RepoPath,
} from '@shipgraph/core';
import type { LockfileModel } from '@shipgraph/core/lockfile';
import { manifestsOf, type Checkout } from './checkout.js';

/**
 * Each package's resolved external dependencies at head, for fingerprints; `''` gives the root's,
 * with the root's tooling settings. A lockfile is parsed only when a fingerprint is asked for.
 */
export async function externalSignatures(checkout: Checkout): Promise<(name: PackageName) => string> {
  const dirOf = new Map(checkout.workspace.packages.map((pkg) => [pkg.name, pkg.dir]));
  const { lockfileReader } = await import('@shipgraph/core/lockfile');
  const lockfiles = await Promise.all(
    checkout.lockfiles.map(async (lockfile) => {
      const read = await lockfileReader(lockfile.file);
      let model: LockfileModel | null | undefined;
      const closureOf = (dir: RepoPath): string | null => {
        if (model === undefined) {
          try {
            model = lockfile.text === null ? null : read(lockfile.text, manifestsOf(checkout));
          } catch {
            model = null;
          }
        }
        // A lockfile shipgraph cannot follow still counts, whole, so a change to it is never missed.
        return model === null ? null : [...(model.closureOf(dir) ?? [])].sort().join('\n');
      };
      return { lockfile, closureOf };
    }),
  );
  const tooling = toolingSignature(checkout.tooling);
  return (name) => {
    const dir = name === '' ? '' : (dirOf.get(name) ?? '');
    const parts = lockfiles.map(
      ({ lockfile, closureOf }) => `${lockfile.file}\0${closureOf(dir) ?? `whole ${lockfile.oid}`}`,
    );
    return (name === '' ? [...parts, `tooling\0${tooling}`] : parts).join('\n');
  };
}

/** Every package's fingerprint at the checkout's commit, as the planner computes it (each on first use). */
export async function checkoutFingerprints(checkout: Checkout): Promise<Fingerprints> {
  return fingerprintsOf(
    checkout.workspace,
    checkout.config.planner,
    checkout.files,
    await externalSignatures(checkout),
  );
}
