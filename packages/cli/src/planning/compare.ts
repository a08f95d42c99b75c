// Compares each base commit with head: the changed files, and what changed in lockfiles and root tooling.
import {
  LOCKFILES,
  TOOLING_FILES,
  rootTooling,
  toolingChanges,
  type BaseComparison,
  type CommitSha,
  type LockfileImpact,
  type RepoPath,
} from '@shipgraph/core';
import { manifestsOf, type Checkout } from './checkout.js';

/** Diffs every base against head (one git process per base), and works out lockfile and tooling changes. */
export async function compareBases(
  checkout: Checkout,
  bases: readonly CommitSha[],
): Promise<Map<CommitSha, BaseComparison>> {
  const { repo, head } = checkout;
  const present = await repo.existingCommits(bases);
  const comparisons = new Map<CommitSha, BaseComparison>();
  const diffs = await Promise.all(
    bases.map(async (base) => {
      if (!present.has(base))
        return { base, files: null, why: `base ${base.slice(0, 12)} is not in this clone` };
      try {
        return { base, files: await repo.changedFiles(base, head), why: '' };
      } catch (error) {
        return {
          base,
          files: null,
          why: `git cannot diff base ${base.slice(0, 12)}: ${(error as Error).message.split('\n')[0] ?? ''}`,
        };
      }
    }),
  );
  const touched = (
    files: readonly { path: RepoPath; from?: RepoPath }[],
    names: readonly RepoPath[],
  ): RepoPath[] => [
    ...new Set(files.flatMap((file) => [file.path, file.from ?? '']).filter((path) => names.includes(path))),
  ];
  const lockfileChanges = diffs.flatMap((diff) =>
    touched(diff.files ?? [], LOCKFILES).map((path) => ({ base: diff.base, path })),
  );
  const toolingBases = diffs.filter((diff) => touched(diff.files ?? [], TOOLING_FILES).length > 0);
  const [impacts, tooling] = await Promise.all([
    lockfileImpacts(checkout, lockfileChanges),
    toolingAt(
      checkout,
      toolingBases.map((diff) => diff.base),
    ),
  ]);
  for (const diff of diffs) {
    const baseTooling = tooling.get(diff.base);
    comparisons.set(
      diff.base,
      diff.files === null
        ? { reachable: false, why: diff.why }
        : {
            reachable: true,
            files: diff.files,
            lockfiles: impacts.get(diff.base) ?? [],
            tooling: baseTooling === undefined ? [] : toolingChanges(baseTooling, checkout.tooling),
          },
    );
  }
  return comparisons;
}

/** The root's tooling settings at each base. */
async function toolingAt(
  checkout: Checkout,
  bases: readonly CommitSha[],
): Promise<Map<CommitSha, Map<string, string>>> {
  const result = new Map<CommitSha, Map<string, string>>();
  if (bases.length === 0) return result;
  const names = bases.flatMap((base) => TOOLING_FILES.map((path) => `${base}:${path}`));
  const blobs = await checkout.repo.readObjects(names);
  for (const base of bases) {
    const files = new Map(
      TOOLING_FILES.map((path) => [path, blobs.get(`${base}:${path}`)?.toString('utf8') ?? null]),
    );
    result.set(base, await rootTooling(files));
  }
  return result;
}

/** For each base, each lockfile its diff touched: which packages' resolved external dependencies changed. */
async function lockfileImpacts(
  checkout: Checkout,
  changes: readonly { base: CommitSha; path: RepoPath }[],
): Promise<Map<CommitSha, LockfileImpact[]>> {
  const impacts = new Map<CommitSha, LockfileImpact[]>();
  if (changes.length === 0) return impacts;
  const { lockfileImpact } = await import('@shipgraph/core/lockfile');
  const blobs = await checkout.repo.readObjects(changes.map(({ base, path }) => `${base}:${path}`));
  for (const { base, path } of changes) {
    const baseText = blobs.get(`${base}:${path}`)?.toString('utf8') ?? null;
    const atHead = checkout.lockfiles.find((lockfile) => lockfile.file === path);
    // A binary lockfile has no text, but is there: its reader says why it cannot be followed.
    const headText = atHead === undefined ? null : (atHead.text ?? '');
    const impact = await lockfileImpact(
      path,
      baseText,
      headText,
      checkout.workspace.packages,
      manifestsOf(checkout),
    );
    impacts.set(base, [...(impacts.get(base) ?? []), impact]);
  }
  return impacts;
}
