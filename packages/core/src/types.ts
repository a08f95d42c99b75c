// The data the planner works on. Everything here is plain, serialisable data.

/** A workspace package or Nx project name, e.g. `@acme/orders`. */
export type PackageName = string;
/** A 40-hex git commit id. */
export type CommitSha = string;
/** A path relative to the repository root, `/`-separated, no leading `./`. */
export type RepoPath = string;

/**
 * Where an edge came from: a manifest, Nx `implicitDependencies`, the config's `dependsOn`, Nx's
 * project graph (imports), a reference to another package's files (a relative import, a `${file()}`),
 * or the other service's stack outputs read at deploy (`{output:api:Url}` in the deployer's settings,
 * `SHIPGRAPH_OUTPUT_API_*`, `${cf:api-<stage>.Url}`).
 */
export type EdgeSource = 'package.json' | 'nx-implicit' | 'config' | 'nx-graph' | 'reference' | 'outputs';

/**
 * Edges a deploy needs only at deploy time (the other service deploys first, and its outputs are read
 * then), not in what it ships: a change upstream deploys the dependent only if the outputs change.
 * Every other source is a code edge: the dependent ships the other package's files.
 */
export const DEPLOY_TIME_SOURCES: readonly EdgeSource[] = ['config', 'outputs'];

/**
 * Files outside every package that one of a package's files refers to: `exact` the file itself,
 * `tree` everything under a folder shipped whole, `glob` a pattern.
 */
export interface ExternalInput {
  path: RepoPath;
  match: 'exact' | 'tree' | 'glob';
  /** The reference, as `--explain` shows it: the referring file (relative to the package) and what it wrote. */
  via: string;
}

export interface WorkspacePackage {
  name: PackageName;
  /** Directory relative to the repository root; `''` never occurs (the root is not a package). */
  dir: RepoPath;
  isService: boolean;
  /**
   * Internal dependencies: other packages of this workspace; `via` names a reference edge's reference;
   * `dev` marks one only devDependencies name (a test helper, a build tool).
   */
  dependsOn: { name: PackageName; source: EdgeSource; via?: string; dev?: true }[];
  /** Files outside every package that the package's files refer to. */
  externalInputs?: ExternalInput[];
  /**
   * Root lockfiles the package's files name (`packagerOptions.lockFile`): what they mean is the
   * package's resolved dependencies, which count anyway; `via` is shown with a change to them.
   */
  lockfileReferences?: { file: RepoPath; via: string }[];
  /** References not followed, and why (a folder, the repository root, inputs.ignoreReferences), for --explain. */
  unfollowedReferences?: UnfollowedReference[];
}

/** A reference that reaches nothing shipgraph counts: `why` says what it named, or the setting that dropped it. */
export interface UnfollowedReference {
  via: string;
  why: string;
  /** Dropped by inputs.ignoreReferences (rather than by what it names). */
  ignored: boolean;
}

export interface Workspace {
  /** Packages sorted by name. */
  packages: WorkspacePackage[];
  /** What the packages were found through, for `--explain`: e.g. `yarn workspaces`, `lerna`, `nx projects`, `config`. */
  sources: string[];
}

export interface InputRules {
  /** Globs relative to the package directory that count as inputs (default `**`). */
  include: string[];
  /** Globs relative to the package directory that never count. */
  exclude: string[];
  /** Extra repository-relative globs outside the package that count as this package's inputs. */
  extra: string[];
  /** Paths or globs relative to the package directory: references reaching them are not followed. */
  ignoreReferences?: string[];
}

export interface PlannerConfig {
  /** Repository-relative globs whose change redeploys every service. */
  globalFiles: string[];
  /** Input rules for every package without an override. */
  defaultInputs: InputRules;
  /** Per-package overrides of the input rules. */
  inputs: Record<PackageName, InputRules>;
}

/** A deploy's package kept in the stage's artifact store: where, and the hash that names its content. */
export interface ArtifactRef {
  uri: string;
  sha256: string;
}

export interface ServiceRecord {
  commit: CommitSha;
  fingerprint: string | null;
  deployedAt: string;
  /**
   * Deployed from a checkout that was not `commit` as committed (`deploy --allow-dirty`): what is
   * in the cloud is unknown, so the next plan deploys the service again.
   */
  dirty?: boolean;
  /** Whether the last deploy changed anything in the cloud; null when its deployer cannot tell. */
  changed?: boolean | null;
  regions: string[];
  /** Region → the CloudFormation stack deployed there, when known (how an orphan is removed). */
  stacks?: Record<string, string>;
  /**
   * Region → the stack's outputs after this deploy: a dependent that only reads them redeploys when
   * the next deploy gives different ones.
   */
  outputs?: Record<string, Record<string, string>>;
  /**
   * The commit of the last deploy that changed something in the cloud (or could not tell): a deploy
   * that changed nothing keeps the one before. What an e2e run passed on is this.
   */
  cloudSince?: CommitSha;
  /** Region → how long its last deploy took (ms): the next run starts long chains of deploys first. */
  durationsMs?: Record<string, number>;
  /**
   * The end-to-end tests of what is deployed: `untested` after a deploy whose e2e did not run (or was
   * interrupted). Anything but `passed` makes the next run that runs e2e test the service again.
   */
  e2e?: {
    status: 'passed' | 'failed' | 'untested';
    commit: CommitSha;
    at: string;
    /** Region → how long the run took (ms): the next run starts the longest e2e runs first. */
    durationsMs?: Record<string, number>;
    /** The record's `cloudSince` when the tests ran: what in the cloud they tested. */
    cloud?: CommitSha;
    /** A fingerprint of the tests themselves (test files, the e2e script and its config). */
    inputs?: string;
    /**
     * Set when these tests did not run again: nothing they test had changed since they passed at this
     * commit, so the proof is carried to the record's commit.
     */
    carriedFrom?: CommitSha;
  };
  /** The package this deploy ran, when the stage keeps artifacts. */
  artifact?: ArtifactRef;
  /** Set when the deploy was a promotion: the stage whose proven artifact it ran. */
  promotedFrom?: { stage: string; commit: CommitSha };
  /**
   * Tracked files the build edited before deploying, as the config allows (`checkout.buildMayEdit`):
   * what they held (sha256 of the file) when this was deployed.
   */
  edited?: { path: RepoPath; sha256: string }[];
}

export interface StageState {
  version: 1;
  stage: string;
  services: Record<PackageName, ServiceRecord>;
  /** How the last deploy run of the stage ended, for notifications on a change. */
  lastRun?: { ok: boolean; commit: CommitSha; at: string };
}

export interface ChangedFile {
  path: RepoPath;
  /** Set for renames and copies: the path at the base. */
  from?: RepoPath;
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
}

/** What git says about one base commit compared with head. */
export type BaseComparison =
  | {
      reachable: true;
      files: ChangedFile[];
      /** One per root lockfile the diff touched. */
      lockfiles: LockfileImpact[];
      /** The root tooling settings that changed (see `rootTooling`), e.g. `package.json devDependencies`. */
      tooling: string[];
    }
  | { reachable: false; why: string };

/** How a lockfile change between a base and head reaches workspace packages. */
export type LockfileImpact =
  | {
      known: true;
      file: RepoPath;
      packages: Record<PackageName, string[]>;
      /** External packages of the repository root (its tooling: serverless, bundlers) that changed. */
      root: string[];
    }
  | { known: false; file: RepoPath; why: string };

export type ReasonKind =
  | 'changed'
  | 'dependency'
  | 'global'
  | 'first-deploy'
  | 'stack-missing'
  | 'forced'
  | 'base-unreachable'
  /** The recorded deploy was made from a checkout with uncommitted changes (`--allow-dirty`). */
  | 'dirty'
  /** A preview stage: a deploying service depends on it and it is not deployed there yet. */
  | 'needed'
  /** `promote`: the package another stage deployed and proved. */
  | 'promoted';

export interface Reason {
  kind: ReasonKind;
  files?: RepoPath[];
  /** The package a `dependency` or `needed` reason comes through, or the reference a `changed` file was reached by. */
  via?: string;
  detail?: string;
  /** A `dependency` on a service whose outputs it reads: it counts only if that deploy changes them. */
  conditional?: true;
}

export interface PlannedService {
  name: PackageName;
  path: RepoPath;
  deploy: boolean;
  batch: number | null;
  base: CommitSha | null;
  /** The services this one must wait for, directly or through libraries. */
  dependsOn: PackageName[];
  /** Content fingerprint at head; computed for the services that deploy (null when not needed). */
  fingerprint: string | null;
  reasons: Reason[];
  /**
   * Set when every reason is conditional: it deploys only if one of these services, deploying in this
   * run, comes out with outputs other than those recorded at its last deploy (decided in each region).
   */
  conditionalOn?: PackageName[];
  /** For each package a `dependency` reason names, the files of its own that changed (`--explain`). */
  upstreamChanges?: Record<PackageName, RepoPath[]>;
}

export interface Plan {
  version: 1;
  stage: string;
  head: CommitSha;
  skipped: null | { reason: 'pull-request' | 'no-stage' | 'preview-teardown'; trigger: string };
  services: PlannedService[];
  batches: PackageName[][];
  orphans: PackageName[];
}
