// What shipgraph needs from any lockfile: the external packages one workspace package resolves to.
import type { RepoPath } from '../types.js';

/**
 * Which of a workspace package's own dependencies a closure starts from: all of them (what its
 * build and tests install), or only those it runs with, leaving out its devDependencies.
 */
export type ClosureScope = 'all' | 'production';

export interface LockfileModel {
  /** `name@version#integrity` of every external package `dir` reaches, or null if `dir` is not in the lockfile. */
  closureOf(dir: RepoPath, scope?: ClosureScope): Set<string> | null;
}

/** The parts of a package.json that say what it installs. */
export interface ManifestDependencies {
  name?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Each workspace package's package.json by folder, the root's under `''` (yarn 1 keeps none of this in its lockfile). */
export type PackageManifests = ReadonlyMap<RepoPath, ManifestDependencies>;

/** A lockfile whose format or content shipgraph cannot follow; the caller falls back to "affects everything". */
export class UnreadableLockfile extends Error {}
