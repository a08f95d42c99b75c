// Turns a plan into deploy tasks, one per service and region, each knowing which tasks it waits for.
import type { PackageName, Plan } from '../types.js';

export interface DeployTask {
  /** `service@region`. */
  id: string;
  service: PackageName;
  region: string;
  /** Ids of the tasks that must succeed before this one starts. */
  needs: string[];
}

export const taskId = (service: PackageName, region: string): string => `${service}@${region}`;

/**
 * A service waits, in the same region, for every deploying service it depends on — directly,
 * through libraries, or through services that are not deploying this run.
 */
export function deployTasks(plan: Plan, regions: readonly string[]): DeployTask[] {
  const waitsFor = deployingDependencies(plan);
  return plan.services
    .filter((service) => service.deploy)
    .flatMap((service) =>
      regions.map((region) => ({
        id: taskId(service.name, region),
        service: service.name,
        region,
        needs: (waitsFor.get(service.name) ?? []).map((dep) => taskId(dep, region)),
      })),
    );
}

/**
 * For each deploying service, the deploying services it must wait for: its dependencies, looking
 * through the ones that are not deploying this run to what they depend on.
 */
export function deployingDependencies(plan: Plan): Map<PackageName, PackageName[]> {
  const byName = new Map(plan.services.map((service) => [service.name, service]));
  const found = new Map<PackageName, PackageName[]>();
  const depsOf = (name: PackageName): PackageName[] => {
    let deps = found.get(name);
    if (deps !== undefined) return deps;
    const result = new Set<PackageName>();
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (byName.get(dep)?.deploy === true) result.add(dep);
      else for (const further of depsOf(dep)) result.add(further);
    }
    deps = [...result].sort();
    found.set(name, deps);
    return deps;
  };
  const waitsFor = new Map<PackageName, PackageName[]>();
  for (const service of plan.services) if (service.deploy) waitsFor.set(service.name, depsOf(service.name));
  return waitsFor;
}
