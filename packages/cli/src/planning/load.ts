// Gathers everything the planner needs from git, the config and the state store, then plans.
import { join } from 'node:path';
import {
  LOCKFILES,
  ShipgraphError,
  basesToCompare,
  lockfileImpact,
  plan,
  readLockfile,
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
import { CONFIG_FILE, parseConfig, type ShipgraphConfig } from '../config/config.js';
import { resolveStage, type Stage } from '../config/stage.js';
import { decide, type Decision } from '../config/trigger.js';
import { GitRepo } from '../git/repo.js';
import { openStateStore } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import { ROOT_FILES, SERVERLESS_FILES, readWorkspace } from '../workspace/read.js';
import { missingStacks, serviceSettings } from '../stacks/services.js';
import { nameList, readEnvironment, type PlanFlags, type RunEnvironment } from './options.js';

/** A repository opened at one commit, with its config and workspace read. */
export interface Checkout {
  repo: GitRepo;
  head: CommitSha;
  files: HeadFile[];
  config: ShipgraphConfig;
  workspace: Workspace;
  /** Where the workspace's edges came from, for --explain. */
  graph: GraphSource;
  lockfile: { file: RepoPath; oid: string; text: string } | null;
}

export type GraphSource =
  { kind: 'packages'; why: string } | { kind: 'nx'; cache: 'hit' | 'miss' | 'off'; cacheDir: RepoPath };

const NX_CACHE_DIR = '.shipgraph/cache';

export async function openCheckout(cwd: string, headRef: string): Promise<Checkout> {
  const { repo, head } = await GitRepo.open(cwd, headRef);
  const files = await repo.listFiles(head);
  const lockfileEntry = files.find((file) => LOCKFILES.includes(file.path));
  // One cat-file for every file planning reads: root files, all manifests and project files, the lockfile.
  const wanted = files.filter(
    (file) =>
      (ROOT_FILES as readonly string[]).includes(file.path) ||
      file === lockfileEntry ||
      ((file.path.endsWith('/package.json') || file.path.endsWith('/project.json')) &&
        !file.path.includes('node_modules/')),
  );
  const blobs = await repo.readObjects(wanted.map((file) => file.oid));
  const texts = new Map<RepoPath, string | null>();
  for (const file of wanted) texts.set(file.path, blobs.get(file.oid)?.toString('utf8') ?? null);
  const lookup = (paths: readonly RepoPath[]): Promise<Map<RepoPath, string | null>> =>
    Promise.resolve(new Map(paths.map((path) => [path, texts.get(path) ?? null])));

  const config = await parseConfig(texts.get(CONFIG_FILE) ?? null);
  const rootFiles = new Map(ROOT_FILES.map((path) => [path, texts.get(path) ?? null]));
  const packages = await readWorkspace(files, rootFiles, lookup, config);
  const { workspace, graph } = await withGraphSource(
    repo,
    head,
    files,
    config,
    packages,
    rootFiles.get('nx.json') != null,
  );
  const lockText = lockfileEntry === undefined ? null : (texts.get(lockfileEntry.path) ?? null);
  return {
    repo,
    head,
    files,
    config,
    workspace,
    graph,
    lockfile:
      lockfileEntry === undefined || lockText === null
        ? null
        : { file: lockfileEntry.path, oid: lockfileEntry.oid, text: lockText },
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
      ? serviceSettings(checkout, stage.name).then((settings) => missingStacks(settings, stage.regions))
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
    externalSignature: externalSignatures(checkout),
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

/** Diffs every base against head (one git process per base), and works out lockfile changes. */
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
  const lockfileChanges = diffs.flatMap((diff) => {
    const file = diff.files?.find(
      (changed) => LOCKFILES.includes(changed.path) || LOCKFILES.includes(changed.from ?? ''),
    );
    return file === undefined
      ? []
      : [{ base: diff.base, path: LOCKFILES.includes(file.path) ? file.path : (file.from ?? '') }];
  });
  const impacts = await lockfileImpacts(checkout, lockfileChanges);
  for (const diff of diffs) {
    comparisons.set(
      diff.base,
      diff.files === null
        ? { reachable: false, why: diff.why }
        : { reachable: true, files: diff.files, lockfile: impacts.get(diff.base) ?? null },
    );
  }
  return comparisons;
}

/** For each base whose diff touched the lockfile: which packages' resolved external dependencies changed. */
async function lockfileImpacts(
  checkout: Checkout,
  changes: readonly { base: CommitSha; path: RepoPath }[],
): Promise<Map<CommitSha, LockfileImpact>> {
  const impacts = new Map<CommitSha, LockfileImpact>();
  if (changes.length === 0) return impacts;
  const blobs = await checkout.repo.readObjects(changes.map(({ base, path }) => `${base}:${path}`));
  for (const { base, path } of changes) {
    const baseText = blobs.get(`${base}:${path}`)?.toString('utf8') ?? null;
    const headText = checkout.lockfile?.file === path ? checkout.lockfile.text : null;
    impacts.set(base, lockfileImpact(path, baseText, headText, checkout.workspace.packages));
  }
  return impacts;
}

/**
 * Each package's resolved external dependencies at head, for fingerprints; `''` gives the root's.
 * The lockfile is parsed only if asked.
 */
export function externalSignatures(checkout: Checkout): (name: PackageName) => string {
  const lockfile = checkout.lockfile;
  if (lockfile === null) return () => '';
  const dirs = new Map(checkout.workspace.packages.map((pkg) => [pkg.name, pkg.dir]));
  let model: ReturnType<typeof readLockfile> | null | undefined;
  return (name) => {
    if (model === undefined) {
      try {
        model = readLockfile(lockfile.file, lockfile.text);
      } catch {
        model = null;
      }
    }
    // A lockfile shipgraph cannot follow still counts, whole, so a change to it is never missed.
    if (model === null) return `${lockfile.file}@${lockfile.oid}`;
    return [...(model.closureOf(dirs.get(name) ?? '') ?? [])].sort().join('\n');
  };
}
