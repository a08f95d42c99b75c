// Types of patterns.mjs, for the TypeScript tests that plan over its generated history.

export interface PatternsOptions {
  /** Directory to create the repository in; must not exist or be empty. */
  out: string;
  services?: number;
  libs?: number;
  /** Commits after the first; they cycle through COMMIT_KINDS. */
  commits?: number;
  seed?: number;
}

export interface PatternsPackage {
  name: string;
  dir: string;
  kind: 'service' | 'lib' | 'app';
  /** Workspace dependencies, by name. */
  deps: string[];
  /** External dependencies, by name. */
  externals: string[];
  /** Files outside every package that the package's deploy reads (ships, compiles with, runs). */
  reads: string[];
  /** Whether the service ships every file under shared/assets/. */
  assets?: boolean;
}

export type PatternsCommitKind =
  | 'service'
  | 'env-file'
  | 'shared-handler'
  | 'shared-import'
  | 'assets'
  | 'webpack-entry'
  | 'tsconfig'
  | 'tsconfig-base'
  | 'lockfile'
  | 'stack-output'
  | 'frontend'
  | 'root-file'
  | 'lib'
  | 'docs-tests'
  | 'seed-script';

export interface PatternsCommit {
  sha: string;
  parent: string | null;
  message: string;
  kind: PatternsCommitKind | 'initial';
  files: string[];
  /** External packages whose version the commit moved in pnpm-lock.yaml. */
  bumped: string[];
  /** The services that need a deploy (null for the first commit). */
  needed: string[] | null;
}

export interface PatternsMonorepo {
  dir: string;
  packages: PatternsPackage[];
  externals: Record<string, string[]>;
  commits: PatternsCommit[];
}

export const COMMIT_KINDS: readonly PatternsCommitKind[];
export const TOOLING: readonly string[];
export function generatePatternsMonorepo(options: PatternsOptions): PatternsMonorepo;
export function servicesNeeding(
  repo: Pick<PatternsMonorepo, 'packages' | 'externals'>,
  changed: readonly string[],
  bumped: readonly string[],
): string[];
