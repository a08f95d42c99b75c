// Gathers everything the planner needs from git, the config and the state store, then plans.
import { join } from 'node:path';
import {
  LOCKFILES,
  ShipgraphError,
  TOOLING_FILES,
  basesToCompare,
  plan,
  rootTooling,
  toolingChanges,
  toolingSignature,
  type BaseComparison,
  type CommitSha,
  type HeadFile,
  type LockfileImpact,
  type PackageName,
  type Plan,
  type RepoPath,
  type StageState,
  type Workspace,
} from '@shipgraph/core';
import type { LockfileModel, PackageManifests } from '@shipgraph/core/lockfile';
import { CONFIG_FILE, parseConfig, type ShipgraphConfig } from '../config/config.js';
import { resolveStage, type Stage } from '../config/stage.js';
import { decide, type Decision } from '../config/trigger.js';
import { GitRepo } from '../git/repo.js';
import { openStateStore } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import {
  ROOT_FILES,
  SERVERLESS_FILES,
  isWorkspaceFile,
  readWorkspace,
  type Manifest,
} from '../workspace/read.js';
import { outwardLines, withFileReferences } from '../workspace/references.js';
import { nameList, readEnvironment, type PlanFlags, type RunEnvironment } from './options.js';

/** A root lockfile at head; `text` is null for a binary one (bun.lockb). */
export interface HeadLockfile {
  file: RepoPath;
  oid: string;
  text: string | null;
}

/** A repository opened at one commit, with its config and workspace read. */
export interface Checkout {
  repo: GitRepo;
  head: CommitSha;
  files: HeadFile[];
  config: ShipgraphConfig;
  workspace: Workspace;
  /** Where the workspace's edges came from, for --explain. */
  graph: GraphSource;
  /** Each package's package.json by folder, the root's under `''`. */
  manifests: Map<RepoPath, Manifest>;
  lockfiles: HeadLockfile[];
  /** The root's tooling settings at head (see `rootTooling`). */
  tooling: Map<string, string>;
  /** What planning noticed and the user should know (one line each). */
  warnings: string[];
}

export type GraphSource =
  { kind: 'packages'; why: string } | { kind: 'nx'; cache: 'hit' | 'miss' | 'off'; cacheDir: RepoPath };

const NX_CACHE_DIR = '.shipgraph/cache';

export async function openCheckout(cwd: string, headRef: string): Promise<Checkout> {
  const { repo, head } = await GitRepo.open(cwd, headRef);
  // git searches the tree for references out of folders while the files are listed and read.
  const outward = outwardLines(repo, head);
  outward.catch(() => undefined);
  const files = await repo.listFiles(head);
  const rootNames = new Set<string>([...ROOT_FILES, ...LOCKFILES, ...TOOLING_FILES]);
  // One cat-file for every file planning reads: root files and lockfiles, all manifests, Nx's project and ignore files.
  const wanted = files.filter((file) => rootNames.has(file.path) || isWorkspaceFile(file.path));
  const blobs = await repo.readObjects(wanted.map((file) => file.oid));
  const texts = new Map<RepoPath, string | null>();
  for (const file of wanted) texts.set(file.path, blobs.get(file.oid)?.toString('utf8') ?? null);
  const lookup = (paths: readonly RepoPath[]): Promise<Map<RepoPath, string | null>> =>
    Promise.resolve(new Map(paths.map((path) => [path, texts.get(path) ?? null])));

  const config = await parseConfig(texts.get(CONFIG_FILE) ?? null);
  const rootFiles = new Map(ROOT_FILES.map((path) => [path, texts.get(path) ?? null]));
  const read = await readWorkspace(files, rootFiles, lookup, config);
  const withGraph = await withGraphSource(
    repo,
    head,
    files,
    config,
    read.workspace,
    rootFiles.get('nx.json') != null,
  );
  const oids = new Map(files.map((file) => [file.path, file.oid]));
  const workspace = await withFileReferences(
    withGraph.workspace,
    config.planner,
    files,
    await outward,
    async (paths) => {
      const found = await repo.readObjects(paths.map((path) => oids.get(path) ?? `${head}:${path}`));
      return new Map(
        paths.map((path) => [path, found.get(oids.get(path) ?? `${head}:${path}`)?.toString('utf8') ?? null]),
      );
    },
  );
  return {
    repo,
    head,
    files,
    config,
    workspace,
    graph: withGraph.graph,
    manifests: read.manifests,
    lockfiles: files
      .filter((file) => LOCKFILES.includes(file.path))
      .map((file) => ({
        file: file.path,
        oid: file.oid,
        text: file.path.endsWith('.lockb') ? null : (texts.get(file.path) ?? null),
      })),
    tooling: await rootTooling(new Map(TOOLING_FILES.map((path) => [path, texts.get(path) ?? null]))),
    warnings: read.warnings,
  };
}

/**
 * Adds Nx's project graph when the config asks for it, or (automatically) when the workspace has
 * nx.json and nx installed. Nx reads the checked-out files, so the checkout must be at head; its
 * graph is cached by what it reads at head, and not cached while such files have uncommitted edits.
 */
async function withGraphSource(
  repo: GitRepo,
  head: CommitSha,
  files: readonly HeadFile[],
  config: ShipgraphConfig,
  packages: Workspace,
  hasNxJson: boolean,
): Promise<{ workspace: Workspace; graph: GraphSource }> {
  if (config.graph === 'packages')
    return { workspace: packages, graph: { kind: 'packages', why: '"graph": "packages" in the config' } };
  if (config.graph === 'auto' && !hasNxJson)
    return { workspace: packages, graph: { kind: 'packages', why: 'no nx.json' } };
  const nx = await import('../workspace/nx-graph.js');
  if (config.graph === 'auto' && (await nx.findWorkspaceNx(repo.root)) === null) {
    return {
      workspace: packages,
      graph: { kind: 'packages', why: 'nx.json, but nx is not installed in the workspace' },
    };
  }
  const checkedOut = await repo.resolveCommit('HEAD');
  if (checkedOut !== head) {
    throw new ShipgraphError(
      'E_USAGE',
      `the Nx graph comes from the checked-out files, which are at ${checkedOut.slice(0, 12)}, not at the planned ${head.slice(0, 12)}`,
      { hint: `check out ${head.slice(0, 12)} first, or set "graph": "packages" in ${CONFIG_FILE}` },
    );
  }
  const useCache = !(await repo.uncommittedPaths()).some(nx.nxReads);
  const paths = new Set(files.map((file) => file.path));
  const result = await nx.readNxProjectGraph({
    root: repo.root,
    files,
    cacheDir: join(repo.root, NX_CACHE_DIR),
    env: process.env,
    useCache,
  });
  const workspace = nx.withNxGraph(
    packages,
    result.graph,
    (project) =>
      project.name in config.services ||
      SERVERLESS_FILES.some((file) => paths.has(`${project.root}/${file}`)),
  );
  return { workspace, graph: { kind: 'nx', cache: result.cache, cacheDir: NX_CACHE_DIR } };
}

export const stateStoreFor = (checkout: Checkout, env: NodeJS.ProcessEnv): StateStore =>
  openStateStore(checkout.config.state, checkout.repo.root, env);

/** A run opened on a repository: the commit, the stage and where its state lives. */
export interface PreparedRun {
  run: RunEnvironment;
  checkout: Checkout;
  /** What this build is for; when it deploys nothing, `stage` is still the one a plan compares with. */
  decision: Decision;
  stage: Stage;
  store: StateStore;
}

export async function prepareRun(
  cwd: string,
  flags: PlanFlags,
  env: NodeJS.ProcessEnv,
): Promise<PreparedRun> {
  const run = readEnvironment(flags, env);
  const checkout = await openCheckout(cwd, run.headRef);
  const decision = decide(
    checkout.config,
    run.trigger,
    nonEmpty(env.CODEBUILD_WEBHOOK_EVENT),
    run.explicitStage,
  );
  const stage = resolveStage(checkout.config, decision.stage ?? flags.stage, env);
  return { run, checkout, decision, stage, store: stateStoreFor(checkout, env) };
}

/** Plans the prepared run against a state read by the caller (deploy reads it under the stage lock). */
export async function planRun(
  prepared: PreparedRun,
  flags: PlanFlags,
  state: StageState,
  options: { checkStacks: boolean },
): Promise<Plan> {
  const { run, checkout, stage, decision } = prepared;
  const baseOverride = flags.base === undefined ? null : await checkout.repo.resolveCommit(flags.base);
  const skip = skippedBy(decision);
  const planOptions = {
    force: run.force,
    baseOverride,
    only: flags.only === undefined ? null : nameList(flags.only),
    exclude: nameList(flags.exclude),
    skip,
    unrecordedBase:
      decision.preview && skip === null && baseOverride === null && !run.force
        ? await pullRequestMergeBase(checkout, run.pullRequestBase)
        : null,
  };
  const bases = basesToCompare(checkout.workspace, state, planOptions);
  const [comparisons, missing] = await Promise.all([
    compareBases(checkout, bases),
    options.checkStacks
      ? // Loaded only to check stacks: reading stack names needs a YAML parser that plans rarely do.
        import('../stacks/services.js').then(async ({ missingStacks, serviceSettings }) =>
          missingStacks(await serviceSettings(checkout, stage.name), stage.regions),
        )
      : undefined,
  ]);
  return plan({
    workspace: checkout.workspace,
    config: checkout.config.planner,
    stage: stage.name,
    head: checkout.head,
    headFiles: checkout.files,
    state,
    comparisons,
    options: planOptions,
    missingStacks: missing,
    externalSignature: await externalSignatures(checkout),
  });
}

/** How a plan says that this build deploys nothing. */
export function skippedBy(decision: Decision): Plan['skipped'] {
  const { trigger } = decision;
  const label =
    trigger.kind === 'manual'
      ? 'manual'
      : `${trigger.kind}/${trigger.kind === 'pr' ? trigger.number : trigger.name}`;
  if (decision.action === 'test-only') return { reason: 'pull-request', trigger: label };
  if (decision.action === 'skip') return { reason: 'no-stage', trigger: label };
  if (decision.action === 'teardown') return { reason: 'preview-teardown', trigger: label };
  return null;
}

/**
 * Where a pull request left its target branch: what a preview stage compares services it has never
 * deployed with. CodeBuild names the branch (CODEBUILD_WEBHOOK_BASE_REF); a clone has it as a
 * remote-tracking branch, or a local one.
 */
async function pullRequestMergeBase(checkout: Checkout, baseRef: string | null): Promise<CommitSha> {
  if (baseRef === null) {
    throw new ShipgraphError(
      'E_PREVIEW_BASE',
      'a preview stage needs the branch the pull request goes into, and CODEBUILD_WEBHOOK_BASE_REF is not set',
      { hint: 'set CODEBUILD_WEBHOOK_BASE_REF=refs/heads/<branch>, or pass --base <commit>' },
    );
  }
  const branch = baseRef.replace(/^refs\/heads\//, '');
  const candidates = [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`, baseRef];
  const found = await checkout.repo.firstCommitOf([...new Set(candidates)]);
  const mergeBase = found === null ? null : await checkout.repo.mergeBase(found.commit, checkout.head);
  if (mergeBase === null) {
    throw new ShipgraphError(
      'E_PREVIEW_BASE',
      `cannot find where the pull request branched from ${branch}: ${found === null ? `no ${candidates.slice(0, 2).join(' or ')} in this clone` : 'no common history in this clone'}`,
      {
        hint: 'clone with full history (GitCloneDepth: 0 on the preview project), or pass --base <commit>',
      },
    );
  }
  return mergeBase;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

export interface PlanResult extends PreparedRun {
  plan: Plan;
  state: StageState;
}

export async function planFromRepository(
  cwd: string,
  flags: PlanFlags,
  env: NodeJS.ProcessEnv,
  options: { checkStacks: boolean } = { checkStacks: false },
): Promise<PlanResult> {
  const prepared = await prepareRun(cwd, flags, env);
  const state = await prepared.store.read(prepared.stage.name);
  return { ...prepared, state, plan: await planRun(prepared, flags, state, options) };
}

/** Diffs every base against head (one git process per base), and works out lockfile and tooling changes. */
async function compareBases(
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

const manifestsOf = (checkout: Checkout): PackageManifests => checkout.manifests as PackageManifests;

/**
 * Each package's resolved external dependencies at head, for fingerprints; `''` gives the root's,
 * with the root's tooling settings. A lockfile is parsed only when a fingerprint is asked for.
 */
export async function externalSignatures(checkout: Checkout): Promise<(name: PackageName) => string> {
  const dirOf = new Map(checkout.workspace.packages.map((pkg) => [pkg.name, pkg.dir]));
  const { lockfileReader } = await import('@shipgraph/core/lockfile');
  const lockfiles = await Promise.all(
    checkout.lockfiles.map(async (lockfile) => {
      const read = await lockfileReader(lockfile.file);
      let model: LockfileModel | null | undefined;
      const closureOf = (dir: RepoPath): string | null => {
        if (model === undefined) {
          try {
            model = lockfile.text === null ? null : read(lockfile.text, manifestsOf(checkout));
          } catch {
            model = null;
          }
        }
        // A lockfile shipgraph cannot follow still counts, whole, so a change to it is never missed.
        return model === null ? null : [...(model.closureOf(dir) ?? [])].sort().join('\n');
      };
      return { lockfile, closureOf };
    }),
  );
  const tooling = toolingSignature(checkout.tooling);
  return (name) => {
    const dir = name === '' ? '' : (dirOf.get(name) ?? '');
    const parts = lockfiles.map(
      ({ lockfile, closureOf }) => `${lockfile.file}\0${closureOf(dir) ?? `whole ${lockfile.oid}`}`,
    );
    return (name === '' ? [...parts, `tooling\0${tooling}`] : parts).join('\n');
  };
}
