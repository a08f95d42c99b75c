// What shipgraph needs from any lockfile: the external packages one workspace package resolves to.
import type { RepoPath } from '../types.js';

export interface LockfileModel {
  /** `name@version#integrity` of every external package `dir` reaches, or null if `dir` is not in the lockfile. */
  closureOf(dir: RepoPath): Set<string> | null;
}

/** A lockfile whose format or content shipgraph cannot follow; the caller falls back to "affects everything". */
export class UnreadableLockfile extends Error {}
