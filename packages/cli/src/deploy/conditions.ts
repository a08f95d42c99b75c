// What a run learns as it goes and the plan could not know: whether a service that only reads another's
// outputs needs its deploy (did those outputs change?), and whether an e2e run can prove anything new
// (did anything it tests move?).
import type { PackageName, PlannedService, ServiceRecord } from '@shipgraph/core';

/** The keys whose values differ between two sets of outputs (added, removed or changed), sorted. */
export function changedOutputs(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]).sort();
}

/** What one region's deploy of a service did in this run: its outputs, or that it did not run. */
export type RegionDeploy = { outputs: Readonly<Record<string, string>>; changed: boolean | null } | null;

export type Condition = { deploys: true; why: string } | { deploys: false; why: string };

/**
 * Whether a conditional deploy goes ahead in a region: when one of the services it depends on came out
 * of its deploy here with outputs other than those recorded at its last deploy (or none were recorded).
 */
export function deployCondition(
  service: PlannedService & { conditionalOn: PackageName[] },
  region: string,
  deployOf: (name: PackageName) => RegionDeploy,
  previous: Readonly<Record<PackageName, ServiceRecord>>,
): Condition {
  const changes: string[] = [];
  for (const dep of service.conditionalOn) {
    const now = deployOf(dep);
    if (now === null) continue;
    const before = previous[dep]?.outputs?.[region];
    if (before === undefined) {
      changes.push(`${dep} (no outputs were recorded at its last deploy)`);
      continue;
    }
    const keys = changedOutputs(before, now.outputs);
    if (keys.length > 0) changes.push(`${dep}: ${keys.join(', ')}`);
  }
  if (changes.length > 0) return { deploys: true, why: `outputs changed: ${changes.join('; ')}` };
  const upstream = service.conditionalOn.join(', ');
  return {
    deploys: false,
    why: `dependency ${upstream}: ${service.conditionalOn.length === 1 ? 'its' : 'their'} outputs did not change`,
  };
}
