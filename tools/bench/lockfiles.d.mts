// Types of lockfiles.mjs, for the TypeScript tests that build repositories with these lockfiles.

/** An external package as installed: its version and what it depends on (name → range). */
export interface Locked {
  name: string;
  /** Every range the lockfile resolves to this version. */
  ranges: string[];
  version: string;
  dependencies?: Record<string, string>;
}

/** A workspace package: its folder (`''` for the root), name, and what it lists (dependencies and devDependencies together). */
export interface LockedWorkspace {
  dir: string;
  name: string;
  dependencies: Record<string, string>;
}

export function yarnClassicLock(locked: readonly Locked[]): string;
export function yarnBerryLock(workspaces: readonly LockedWorkspace[], locked: readonly Locked[]): string;
export function bunLock(
  workspaces: readonly LockedWorkspace[],
  packages: Record<string, { version: string; name?: string; dependencies?: Record<string, string> }>,
): string;
