// Works out which workspace packages a lockfile change between a base and head reaches.
import type { LockfileImpact, PackageName, RepoPath, WorkspacePackage } from '../types.js';
import { type LockfileModel, type PackageManifests, UnreadableLockfile } from './model.js';

/** Parses a lockfile's text; throws UnreadableLockfile for one shipgraph cannot follow. */
export type LockfileReader = (text: string, manifests: PackageManifests) => LockfileModel;

/**
 * The reader for a lockfile, by its name. Each format's reader (and its parser) is loaded only when
 * asked for: most plans never parse a lockfile.
 */
export async function lockfileReader(file: RepoPath): Promise<LockfileReader> {
  switch (file) {
    case 'package-lock.json':
    case 'npm-shrinkwrap.json': {
      const { readNpmLockfile } = await import('./npm.js');
      return (text) => readNpmLockfile(text);
    }
    case 'pnpm-lock.yaml': {
      const { readPnpmLockfile } = await import('./pnpm.js');
      return (text) => readPnpmLockfile(text);
    }
    case 'yarn.lock':
      return (await import('./yarn.js')).readYarnLockfile;
    case 'bun.lock': {
      const { readBunLockfile } = await import('./bun.js');
      return (text) => readBunLockfile(text);
    }
    default:
      return () => {
        throw new UnreadableLockfile(
          file === 'bun.lockb'
            ? 'bun.lockb is binary (bun 1.2 and later write the text bun.lock)'
            : 'not a lockfile shipgraph reads',
        );
      };
  }
}

export async function readLockfile(
  file: RepoPath,
  text: string,
  manifests: PackageManifests,
): Promise<LockfileModel> {
  return (await lockfileReader(file))(text, manifests);
}

/**
 * Compares each package's resolved external dependencies at base and at head. `baseText` or
 * `headText` is null when the file does not exist on that side. `manifests` are the workspace's
 * package.json files at head (a package.json that changed makes its package change anyway).
 */
export async function lockfileImpact(
  file: RepoPath,
  baseText: string | null,
  headText: string | null,
  packages: readonly WorkspacePackage[],
  manifests: PackageManifests,
): Promise<LockfileImpact> {
  if (baseText === null || headText === null) {
    return { known: false, file, why: `${file} was ${baseText === null ? 'added' : 'deleted'}` };
  }
  const read = await lockfileReader(file);
  let base: LockfileModel;
  let head: LockfileModel;
  try {
    base = read(baseText, manifests);
    head = read(headText, manifests);
  } catch (error) {
    if (error instanceof UnreadableLockfile) return { known: false, file, why: `${file}: ${error.message}` };
    throw error;
  }
  const affected: Record<PackageName, string[]> = {};
  for (const pkg of packages) {
    const before = base.closureOf(pkg.dir) ?? new Set<string>();
    const after = head.closureOf(pkg.dir) ?? new Set<string>();
    const changed = symmetricDifference(before, after);
    if (changed.length > 0) affected[pkg.name] = changed;
  }
  const root = symmetricDifference(base.closureOf('') ?? new Set(), head.closureOf('') ?? new Set());
  return { known: true, file, packages: affected, root };
}

/** Names of the external packages that appear, disappear or change version between two closures. */
function symmetricDifference(before: Set<string>, after: Set<string>): string[] {
  const names = new Set<string>();
  for (const id of before) if (!after.has(id)) names.add(nameOf(id));
  for (const id of after) if (!before.has(id)) names.add(nameOf(id));
  return [...names].sort();
}

/** The package name of an identity: `name@version#…`, pnpm's `/name@version`, berry's `name@npm:version#…`. */
const nameOf = (identity: string): string => {
  const bare = identity.replace(/^\//, '');
  return bare.slice(0, bare.indexOf('@', 1));
};
