// Types of generate.mjs, for the TypeScript tests that plan over a generated history.

export interface GenerateOptions {
  /** Directory to create the repository in; must not exist or be empty. */
  out: string;
  services?: number;
  libs?: number;
  /** Commits after the first. */
  commits?: number;
  seed?: number;
  /** 'packages' commits shipgraph.config.json with "graph": "packages"; 'auto' commits no config. */
  graph?: 'packages' | 'auto';
  /** Commit a lockfile: npm's package-lock.json (never changed after the first commit), or yarn.lock. */
  lockfile?: boolean;
  /** yarn1 and berry add external dependencies and lockfile-only bumps (see generate.mjs). */
  packageManager?: 'npm' | 'yarn1' | 'berry';
  /**
   * The share (0 to 1) of service-to-service edges that only read outputs at deploy time: written as
   * the config's dependsOn instead of package.json dependencies. Default 0.
   */
  deployTimeEdges?: number;
}

export interface GeneratedPackage {
  /** `@acme/lib-0001`, `@acme/svc-0001` */
  name: string;
  /** Relative to the repository root: `libs/lib-0001`, `services/svc-0001`. */
  dir: string;
  kind: 'lib' | 'service';
  /** Direct workspace dependencies whose files it ships (package.json), by name. */
  deps: string[];
  /** Services whose outputs it reads at deploy time (the config's dependsOn), by name. */
  deployTimeDeps: string[];
  /** Direct external dependencies (yarn repositories only), by name. */
  externals: string[];
}

export type CommitKind = 'initial' | 'root' | 'source' | 'lockfile' | 'docs-tests';

export interface GeneratedCommit {
  sha: string;
  parent: string | null;
  message: string;
  /** Paths the commit added or changed, sorted. */
  files: string[];
  kind: CommitKind;
  /** External packages whose version the commit moved in yarn.lock. */
  bumped: string[];
}

export interface GeneratedMonorepo {
  /** Absolute path of the repository. */
  dir: string;
  packages: GeneratedPackage[];
  /** External package → the external packages it depends on (the root's tooling among them). */
  externals: Record<string, string[]>;
  /** Oldest first; the first is the initial commit. */
  commits: GeneratedCommit[];
}

export const PACKAGE_MANAGER: string;
export const SCOPE: string;
export const TOOL: string;
export function randomFrom(seed: number): () => number;
export function fileKind(path: string): 'root' | 'lockfile' | 'docs' | 'tests' | 'source';
export function commitKind(paths: readonly string[]): Exclude<CommitKind, 'initial'>;
export function generateMonorepo(options: GenerateOptions): GeneratedMonorepo;
