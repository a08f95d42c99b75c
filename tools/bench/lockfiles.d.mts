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

/** A workspace package of a pnpm lockfile: its folder (`''` for the root), name, and its two dependency lists. */
export interface PnpmWorkspace {
  dir: string;
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function pnpmV5Lock(
  workspaces: readonly PnpmWorkspace[],
  locked: readonly Locked[],
  options?: { version?: '5.3' | '5.4' | string },
): string;
