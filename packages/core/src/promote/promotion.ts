// What `promote --from S --to T` would do, per service: promote the artifact S deployed and proved,
// find T already running it, or refuse and say why. A pure function of the two stages' records.
import { nearestServiceDeps, type Graph } from '../graph/graph.js';
import type { ArtifactRef, CommitSha, PackageName, Plan, ServiceRecord, StageState } from '../types.js';

export type Refusal =
  'not-deployed' | 'dirty' | 'untested' | 'e2e-failed' | 'no-artifact' | 'dependency-left-behind';

export type PromotionEntry =
  | {
      service: PackageName;
      action: 'promote';
      commit: CommitSha;
      artifact: ArtifactRef;
      dependsOn: PackageName[];
    }
  | { service: PackageName; action: 'unchanged'; commit: CommitSha }
  | { service: PackageName; action: 'refused'; refusal: Refusal; why: string };

export interface Promotion {
  from: string;
  to: string;
  services: PromotionEntry[];
  /** The services to promote, in waves: each wave's dependencies are in earlier waves (or already in the target). */
  batches: PackageName[][];
}

export interface PromotionInput {
  graph: Graph;
  from: StageState;
  to: StageState;
  /** The services asked for (`--only`), or null for every service. */
  only: ReadonlySet<PackageName> | null;
  /** Services whose recorded package is no longer in the source's store. */
  gone?: ReadonlySet<PackageName>;
}

const sameArtifact = (a: ArtifactRef | undefined, b: ArtifactRef | undefined): boolean =>
  a !== undefined && b !== undefined && a.sha256 === b.sha256;

/** The artifact the source proved, or why the record cannot be promoted on its own merits. */
function provenArtifact(
  record: ServiceRecord | undefined,
  from: string,
): { artifact: ArtifactRef; commit: CommitSha } | { refusal: Refusal; why: string } {
  if (record === undefined) return { refusal: 'not-deployed', why: `never deployed to ${from}` };
  if (record.dirty === true) {
    return { refusal: 'dirty', why: `${from} runs a deploy from an uncommitted checkout (--allow-dirty)` };
  }
  const e2e = record.e2e;
  if (e2e?.status === 'failed' && e2e.commit === record.commit) {
    return { refusal: 'e2e-failed', why: `its e2e tests failed in ${from} at ${record.commit.slice(0, 12)}` };
  }
  if (e2e?.status !== 'passed' || e2e.commit !== record.commit) {
    return {
      refusal: 'untested',
      why: `its e2e tests have not passed in ${from} on what it runs (${record.commit.slice(0, 12)})`,
    };
  }
  if (record.artifact === undefined) {
    return {
      refusal: 'no-artifact',
      why: `${from} kept no artifact of its deploy (set stages.${from}.artifacts)`,
    };
  }
  return { artifact: record.artifact, commit: record.commit };
}

export function planPromotion({ graph, from, to, only, gone }: PromotionInput): Promotion {
  const nearest = nearestServiceDeps(graph);
  const entries = new Map<PackageName, PromotionEntry>();
  // Whether the target runs what the source runs, once this promotion is done.
  const current = (name: PackageName): boolean => {
    const entry = entries.get(name);
    if (entry !== undefined) return entry.action !== 'refused';
    return sameArtifact(from.services[name]?.artifact, to.services[name]?.artifact);
  };
  // Dependencies first: a service is judged after everything it depends on.
  for (const name of graph.order) {
    if (graph.packages.get(name)?.isService !== true || (only !== null && !only.has(name))) continue;
    const found = provenArtifact(from.services[name], from.stage);
    const proven =
      'artifact' in found && gone?.has(name) === true
        ? {
            refusal: 'no-artifact' as const,
            why: `the package ${from.stage} kept is gone from ${found.artifact.uri}`,
          }
        : found;
    if ('refusal' in proven) {
      entries.set(name, { service: name, action: 'refused', ...proven });
      continue;
    }
    // What the target already runs stays, whatever its dependencies do.
    if (sameArtifact(proven.artifact, to.services[name]?.artifact)) {
      entries.set(name, { service: name, action: 'unchanged', commit: proven.commit });
      continue;
    }
    const behind = (nearest.get(name) ?? []).filter((dep) => !current(dep));
    if (behind.length > 0) {
      const why = behind.map((dep) => describeBehind(dep, entries.get(dep), to.stage)).join('; ');
      entries.set(name, { service: name, action: 'refused', refusal: 'dependency-left-behind', why });
      continue;
    }
    const dependsOn = (nearest.get(name) ?? []).filter((dep) => entries.get(dep)?.action === 'promote');
    entries.set(name, { service: name, action: 'promote', ...proven, dependsOn });
  }
  const services = [...entries.values()].sort((a, b) => (a.service < b.service ? -1 : 1));
  return { from: from.stage, to: to.stage, services, batches: wavesOf(services) };
}

function describeBehind(dep: PackageName, entry: PromotionEntry | undefined, to: string): string {
  if (entry?.action === 'refused') return `it depends on ${dep}, which cannot be promoted (${entry.why})`;
  return `it depends on ${dep}, which ${to} runs at another version and this promotion leaves out (promote ${dep} too)`;
}

function wavesOf(services: readonly PromotionEntry[]): PackageName[][] {
  const wave = new Map<PackageName, number>();
  const promoted = services.filter((entry) => entry.action === 'promote');
  const waveOf = (entry: (typeof promoted)[number]): number => {
    const known = wave.get(entry.service);
    if (known !== undefined) return known;
    const deps = entry.dependsOn.map((dep) => {
      const found = promoted.find((other) => other.service === dep);
      return found === undefined ? -1 : waveOf(found);
    });
    const mine = Math.max(-1, ...deps) + 1;
    wave.set(entry.service, mine);
    return mine;
  };
  const batches: PackageName[][] = [];
  for (const entry of promoted) (batches[waveOf(entry)] ??= []).push(entry.service);
  return batches.map((batch) => batch.sort());
}

/** The promotion as the plan a deploy run executes: the promoted services, each in its wave, at the commit the source proved. */
export function promotionPlan(promotion: Promotion, from: StageState, head: string, graph: Graph): Plan {
  const batchOf = new Map(promotion.batches.flatMap((batch, index) => batch.map((name) => [name, index])));
  const services = promotion.services.flatMap((entry) =>
    entry.action !== 'promote'
      ? []
      : [
          {
            name: entry.service,
            path: graph.packages.get(entry.service)?.dir ?? '',
            deploy: true,
            batch: batchOf.get(entry.service) ?? 0,
            base: null,
            dependsOn: entry.dependsOn,
            fingerprint: from.services[entry.service]?.fingerprint ?? null,
            reasons: [
              { kind: 'promoted' as const, detail: `from ${promotion.from} at ${entry.commit.slice(0, 12)}` },
            ],
          },
        ],
  );
  return {
    version: 1,
    stage: promotion.to,
    head,
    skipped: null,
    services,
    batches: promotion.batches,
    orphans: [],
  };
}
