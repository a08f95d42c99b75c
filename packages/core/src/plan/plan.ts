// The planner: which services deploy, why, and in which order. A pure function of its input.
import { InputIndex } from '../changes/inputs.js';
import { buildGraph, nearestServiceDeps, reachable, type Graph } from '../graph/graph.js';
import type {
  BaseComparison,
  ChangedFile,
  CommitSha,
  PackageName,
  Plan,
  PlannedService,
  PlannerConfig,
  Reason,
  RepoPath,
  StageState,
  Workspace,
  WorkspacePackage,
} from '../types.js';
import { Fingerprints, type HeadFile } from './fingerprint.js';
import { selectServices } from './select.js';

export interface PlanOptions {
  /** `--all` / FORCE_DEPLOY_ALL. */
  force: boolean;
  /** `--base`: replaces every recorded base. */
  baseOverride: CommitSha | null;
  only: readonly string[] | null;
  exclude: readonly string[];
  /** Set when this run deploys nothing (a pull request, a branch mapped to no stage); the plan still shows why each service would deploy. */
  skip: Plan['skipped'];
  /**
   * Preview stages: services with no record in the stage are compared with this commit (the pull
   * request's merge base) instead of deploying as new, and what a deploying service depends on that
   * has no record there deploys too. Null for ordinary stages.
   */
  unrecordedBase?: CommitSha | null;
}

export interface PlanInput {
  workspace: Workspace;
  config: PlannerConfig;
  stage: string;
  head: CommitSha;
  /** Every file at head with its blob id, for fingerprints. */
  headFiles: readonly HeadFile[];
  state: StageState;
  /** One entry per base returned by `basesToCompare`. */
  comparisons: ReadonlyMap<CommitSha, BaseComparison>;
  options: PlanOptions;
  /** Services whose stack does not exist in this stage, with where it is missing. */
  missingStacks?: ReadonlyMap<PackageName, string>;
  externalSignature?: (name: PackageName) => string;
}

/** The base commits the planner will ask about, so the caller can diff each one once. */
export function basesToCompare(
  workspace: Workspace,
  state: StageState,
  options: Pick<PlanOptions, 'force' | 'baseOverride' | 'only' | 'exclude' | 'unrecordedBase'>,
): CommitSha[] {
  if (options.force) return [];
  const services =
    options.only === null && options.exclude.length === 0
      ? servicesOf(workspace)
      : selectServices(buildGraph(workspace), options.only, options.exclude);
  const bases = new Set<CommitSha>();
  for (const service of services) {
    const record = state.services[service.name];
    if (record?.dirty === true) continue;
    const base = baseOf(options, record);
    if (base !== null) bases.add(base);
  }
  return [...bases];
}

export function plan(input: PlanInput): Plan {
  const { workspace, config, state, options } = input;
  const graph = buildGraph(workspace);
  const index = new InputIndex(workspace, config);
  const fingerprints = new Fingerprints(graph, index, input.headFiles, input.externalSignature);
  const effects = new Map<CommitSha, BaseEffects>();
  const effectsOf = (base: CommitSha, files: ChangedFile[], comparison: BaseComparison): BaseEffects => {
    let found = effects.get(base);
    if (found === undefined) {
      found = baseEffects(graph, index, files, comparison);
      effects.set(base, found);
    }
    return found;
  };

  const considered = selectServices(graph, options.only, options.exclude);
  const recreatedDeps = dependentsOfMissing(graph, input.missingStacks?.keys() ?? []);
  const planned: PlannedService[] = considered.map((service) => {
    const record = state.services[service.name];
    const base = baseOf(options, record);
    const reasons: Reason[] = [];
    let fingerprint: string | null = null;
    const current = (): string => (fingerprint ??= fingerprints.of(service.name));
    // For each dependency reason, what changed in that package (for --explain).
    let upstream: Record<PackageName, RepoPath[]> = {};

    if (options.force) {
      reasons.push({ kind: 'forced' });
    } else if (record?.dirty === true) {
      reasons.push({
        kind: 'dirty',
        detail: `deployed last from a checkout that differed from ${record.commit.slice(0, 12)} (--allow-dirty)`,
      });
    } else if (base === null) {
      reasons.push({ kind: 'first-deploy' });
    } else {
      const comparison = input.comparisons.get(base);
      if (comparison === undefined) throw new Error(`planner was not given a comparison for base ${base}`);
      if (!comparison.reachable) {
        const recorded = options.baseOverride === null ? (record?.fingerprint ?? null) : null;
        if (recorded === null) {
          reasons.push({ kind: 'base-unreachable', detail: `${comparison.why}; no fingerprint recorded` });
        } else if (recorded !== current()) {
          reasons.push({ kind: 'base-unreachable', detail: `${comparison.why}; fingerprint differs` });
        }
      } else {
        const effects = effectsOf(base, comparison.files, comparison);
        reasons.push(...changeReasons(service, effects));
        upstream = upstreamChanges(reasons, effects);
        // Content identical to what was deployed (e.g. a change and its revert): nothing to do.
        if (
          reasons.length > 0 &&
          options.baseOverride === null &&
          record?.fingerprint != null &&
          record.fingerprint === current()
        ) {
          reasons.length = 0;
        }
      }
    }
    const missing = input.missingStacks?.get(service.name);
    if (missing !== undefined && !options.force) reasons.unshift({ kind: 'stack-missing', detail: missing });
    const deploysAnyway = options.force || base === null;
    for (const recreated of deploysAnyway ? [] : (recreatedDeps.get(service.name) ?? []).sort()) {
      if (!reasons.some((reason) => reason.via === recreated)) {
        reasons.push({
          kind: 'dependency',
          via: recreated,
          detail: 'its stack is missing and is created again',
        });
      }
    }
    const deploy = reasons.length > 0 && options.skip === null;
    const changedUpstream = Object.entries(upstream).filter(([name]) =>
      reasons.some((reason) => reason.kind === 'dependency' && reason.via === name),
    );
    return {
      name: service.name,
      path: service.dir,
      deploy,
      batch: null,
      base,
      dependsOn: [],
      fingerprint: deploy ? current() : fingerprint,
      reasons,
      ...(changedUpstream.length > 0 ? { upstreamChanges: Object.fromEntries(changedUpstream) } : {}),
    };
  });

  addConditionalDeploys(graph, planned, options.skip === null, (name) => fingerprints.of(name));
  if ((options.unrecordedBase ?? null) !== null && options.skip === null) {
    for (const [name, dependent] of neededServices(graph, planned, state)) {
      const service = planned.find((entry) => entry.name === name);
      if (service === undefined) continue;
      service.deploy = true;
      service.fingerprint = fingerprints.of(name);
      service.reasons.push({ kind: 'needed', via: dependent, detail: 'not deployed in this stage yet' });
    }
  }
  const batches = assignBatches(graph, planned);
  const present = new Set(servicesOf(workspace).map((service) => service.name));
  return {
    version: 1,
    stage: input.stage,
    head: input.head,
    skipped: options.skip,
    services: planned,
    batches,
    orphans: Object.keys(state.services)
      .filter((name) => !present.has(name))
      .sort(),
  };
}

/**
 * A service that reads the outputs of a service deploying in this run may need a deploy too: if those
 * outputs change. One with no reason of its own deploys on that condition (`conditionalOn`), decided
 * when the run knows the outputs; one with reasons of its own deploys anyway. Dependencies first, so a
 * condition on a conditional deploy is seen.
 */
function addConditionalDeploys(
  graph: Graph,
  planned: PlannedService[],
  deploys: boolean,
  fingerprintOf: (name: PackageName) => string,
): void {
  const byName = new Map(planned.map((service) => [service.name, service]));
  for (const name of graph.order) {
    const service = byName.get(name);
    if (service === undefined) continue;
    const upstream = (graph.deployTimeDeps.get(name) ?? []).filter((dep) => byName.get(dep)?.deploy === true);
    if (upstream.length === 0) continue;
    const unconditional = service.reasons.length > 0;
    for (const dep of upstream.sort()) {
      service.reasons.push({
        kind: 'dependency',
        via: dep,
        conditional: true,
        detail: 'if its outputs change',
      });
    }
    if (unconditional) continue;
    service.deploy = deploys;
    service.fingerprint = fingerprintOf(name);
    service.conditionalOn = upstream;
  }
}

const baseOf = (
  options: Pick<PlanOptions, 'baseOverride' | 'unrecordedBase'>,
  record: StageState['services'][string] | undefined,
): CommitSha | null => options.baseOverride ?? record?.commit ?? options.unrecordedBase ?? null;

/**
 * The services that deploying ones depend on (directly or through libraries) which have no record in
 * the stage and do not deploy: without them the deploying ones would have nothing to talk to. Each
 * comes with one deploying service that needs it, for the reason shown.
 */
function neededServices(
  graph: Graph,
  planned: readonly PlannedService[],
  state: StageState,
): Map<PackageName, PackageName> {
  const candidates = new Set(
    planned
      .filter((service) => !service.deploy && state.services[service.name] === undefined)
      .map((service) => service.name),
  );
  const needed = new Map<PackageName, PackageName>();
  for (const service of planned) {
    if (!service.deploy) continue;
    const queue = [...(graph.deps.get(service.name) ?? [])];
    const seen = new Set(queue);
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      if (candidates.has(name) && !needed.has(name)) needed.set(name, service.name);
      for (const next of graph.deps.get(name) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return needed;
}

export const servicesOf = (workspace: Workspace): WorkspacePackage[] =>
  workspace.packages.filter((pkg) => pkg.isService);

/** What one base's diff does to the workspace; computed once per distinct base. */
interface BaseEffects {
  global: Reason[];
  /** Packages whose own inputs changed, with the reasons to show on them. */
  direct: Map<PackageName, Reason[]>;
  /** For each package, the changed packages it depends on (transitively). */
  via: Map<PackageName, Set<PackageName>>;
}

function baseEffects(
  graph: Graph,
  index: InputIndex,
  files: ChangedFile[],
  comparison: BaseComparison,
): BaseEffects {
  const globalFiles: RepoPath[] = [];
  const ownFiles = new Map<PackageName, RepoPath[]>();
  const lockfiles = comparison.reachable ? comparison.lockfiles : [];
  const lockfilePaths = new Set(lockfiles.map((lockfile) => lockfile.file));
  for (const file of files) {
    for (const path of file.from === undefined ? [file.path] : [file.from, file.path]) {
      if (lockfilePaths.has(path)) continue;
      if (index.isGlobal(path)) globalFiles.push(path);
      for (const name of index.packagesWithInput(path)) {
        let list = ownFiles.get(name);
        if (list === undefined) ownFiles.set(name, (list = []));
        if (!list.includes(path)) list.push(path);
      }
    }
  }

  const global: Reason[] = [];
  if (globalFiles.length > 0) global.push({ kind: 'global', files: [...new Set(globalFiles)].sort() });
  const tooling = comparison.reachable ? comparison.tooling : [];
  if (tooling.length > 0) {
    // The root's own dependencies and package manager settings are what every deploy installs and runs
    // with (the Serverless Framework, bundlers, plugins, overrides): any service's artifact can change.
    global.push({
      kind: 'global',
      files: [...new Set(tooling.map((label) => label.split(' ')[0] ?? label))].sort(),
      detail: `the repository root's tooling changed: ${tooling.join(', ')}`,
    });
  }
  const direct = new Map<PackageName, Reason[]>();
  for (const [name, list] of ownFiles) direct.set(name, [{ kind: 'changed', files: list.sort() }]);
  for (const [name, byVia] of referencedFiles(index, files, lockfilePaths)) {
    const reasons = [...byVia]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([via, paths]): Reason => ({ kind: 'changed', files: [...paths].sort(), via }));
    direct.set(name, [...(direct.get(name) ?? []), ...reasons]);
  }
  for (const lockfile of lockfiles) {
    if (!lockfile.known) {
      global.push({
        kind: 'global',
        files: [lockfile.file],
        detail: `could not tell which packages the lockfile change affects (${lockfile.why})`,
      });
      continue;
    }
    // The root's own dependencies are the tooling every deploy runs with (the Serverless Framework,
    // bundlers, plugins): a change there can change any service's artifact.
    if (lockfile.root.length > 0) {
      global.push({
        kind: 'global',
        files: [lockfile.file],
        detail: `the repository root's external dependencies changed: ${lockfile.root.join(', ')}`,
      });
    }
    for (const [name, externals] of Object.entries(lockfile.packages)) {
      // A package whose files name the lockfile (`packagerOptions.lockFile`) says so: that is what it means.
      const reference = graph.packages
        .get(name)
        ?.lockfileReferences?.find((entry) => entry.file === lockfile.file)?.via;
      const reason: Reason = {
        kind: 'changed',
        files: [lockfile.file],
        ...(reference === undefined ? {} : { via: `${reference} → resolved dependencies` }),
        detail: `external dependencies changed: ${externals.join(', ')}`,
      };
      const list = direct.get(name);
      if (list === undefined) direct.set(name, [reason]);
      else list.push(reason);
    }
  }

  const via = new Map<PackageName, Set<PackageName>>();
  for (const changed of direct.keys()) {
    // Through code edges only: a service that reads another's outputs is decided by those (conditional).
    for (const name of reachable(graph, [changed], 'codeDependents')) {
      let set = via.get(name);
      if (set === undefined) via.set(name, (set = new Set()));
      set.add(changed);
    }
  }
  return { global, direct, via };
}

/**
 * Changed files outside every package that packages refer to: package → reference → files. A
 * lockfile a folder or glob takes in counts by its meaning (each package's resolved dependencies).
 */
function referencedFiles(
  index: InputIndex,
  files: readonly ChangedFile[],
  lockfiles: ReadonlySet<RepoPath>,
): Map<PackageName, Map<string, Set<RepoPath>>> {
  const found = new Map<PackageName, Map<string, Set<RepoPath>>>();
  if (!index.hasExternalInputs()) return found;
  for (const file of files) {
    for (const path of file.from === undefined ? [file.path] : [file.from, file.path]) {
      if (lockfiles.has(path)) continue;
      for (const { name, via } of index.externalOwnersOf(path)) {
        let byVia = found.get(name);
        if (byVia === undefined) found.set(name, (byVia = new Map<string, Set<RepoPath>>()));
        let paths = byVia.get(via);
        if (paths === undefined) byVia.set(via, (paths = new Set<RepoPath>()));
        paths.add(path);
      }
    }
  }
  return found;
}

/** The files each package a `dependency` reason names had changed of its own inputs. */
function upstreamChanges(reasons: readonly Reason[], effects: BaseEffects): Record<PackageName, RepoPath[]> {
  const found: Record<PackageName, RepoPath[]> = {};
  for (const reason of reasons) {
    if (reason.kind !== 'dependency' || reason.via === undefined) continue;
    const files = (effects.direct.get(reason.via) ?? []).flatMap((own) => own.files ?? []);
    if (files.length > 0) found[reason.via] = [...new Set(files)].sort();
  }
  return found;
}

function changeReasons(service: WorkspacePackage, effects: BaseEffects): Reason[] {
  const reasons: Reason[] = [...effects.global, ...(effects.direct.get(service.name) ?? [])];
  for (const dep of [...(effects.via.get(service.name) ?? [])].sort()) {
    if (dep === service.name) continue;
    // A dependency the service reaches by a reference (a relative import) says which.
    const reference = service.dependsOn.find((edge) => edge.name === dep && edge.via !== undefined)?.via;
    reasons.push(
      reference === undefined
        ? { kind: 'dependency', via: dep }
        : { kind: 'dependency', via: dep, detail: `referred to by ${reference}` },
    );
  }
  return reasons;
}

/**
 * A service whose stack is missing is created afresh, and its outputs (table names, URLs) may come
 * out different: what depends on it redeploys too, to pick them up. Returns, per package, the
 * missing services it depends on.
 */
function dependentsOfMissing(graph: Graph, missing: Iterable<PackageName>): Map<PackageName, PackageName[]> {
  const found = new Map<PackageName, PackageName[]>();
  for (const recreated of missing) {
    const queue = [...(graph.dependents.get(recreated) ?? [])];
    const seen = new Set(queue);
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      found.set(name, [...(found.get(name) ?? []), recreated]);
      for (const next of graph.dependents.get(name) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return found;
}

/**
 * Fills in each service's `dependsOn` and, for those that deploy, a batch: one more than the
 * highest batch among the deploying services it depends on, through libraries or not.
 */
function assignBatches(graph: Graph, planned: PlannedService[]): PackageName[][] {
  const byName = new Map(planned.map((service) => [service.name, service]));
  const nearest = nearestServiceDeps(graph);
  // For each package: the first batch a deploying dependent of it may take.
  const earliest = new Map<PackageName, number>();
  for (const name of graph.order) {
    let level = 0;
    for (const dep of graph.deps.get(name) ?? []) {
      const planned = byName.get(dep);
      const after = planned?.deploy === true && planned.batch !== null ? planned.batch + 1 : 0;
      level = Math.max(level, after, earliest.get(dep) ?? 0);
    }
    earliest.set(name, level);
    const service = byName.get(name);
    if (service !== undefined) {
      service.dependsOn = nearest.get(name) ?? [];
      if (service.deploy) service.batch = level;
    }
  }
  const batches: PackageName[][] = [];
  for (const service of planned) {
    if (service.batch === null) continue;
    (batches[service.batch] ??= []).push(service.name);
  }
  return batches.map((batch) => batch.sort());
}
