// Works out which workspace packages a lockfile change between a base and head reaches.
import type { LockfileImpact, PackageName, RepoPath, WorkspacePackage } from '../types.js';
import { type LockfileModel, UnreadableLockfile } from './model.js';
import { readNpmLockfile } from './npm.js';
import { readPnpmLockfile } from './pnpm.js';

export const LOCKFILES: readonly RepoPath[] = ['package-lock.json', 'pnpm-lock.yaml'];

export function readLockfile(file: RepoPath, text: string): LockfileModel {
  return file.endsWith('.yaml') ? readPnpmLockfile(text) : readNpmLockfile(text);
}

/**
 * Compares each package's resolved external dependencies at base and at head. `baseText` or
 * `headText` is null when the file does not exist on that side.
 */
export function lockfileImpact(
  file: RepoPath,
  baseText: string | null,
  headText: string | null,
  packages: readonly WorkspacePackage[],
): LockfileImpact {
  if (baseText === null || headText === null) {
    return { known: false, file, why: `${file} was ${baseText === null ? 'added' : 'deleted'}` };
  }
  let base: LockfileModel;
  let head: LockfileModel;
  try {
    base = readLockfile(file, baseText);
    head = readLockfile(file, headText);
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

const nameOf = (identity: string): string => {
  const bare = identity.replace(/^\//, '');
  return bare.slice(0, bare.indexOf('@', 1));
};
