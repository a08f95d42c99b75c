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
  const byName = new Map(plan.services.map((service) => [service.name, service]));
  const deployingDeps = new Map<PackageName, PackageName[]>();
  const depsOf = (name: PackageName): PackageName[] => {
    let found = deployingDeps.get(name);
    if (found !== undefined) return found;
    const result = new Set<PackageName>();
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      const service = byName.get(dep);
      if (service?.deploy === true) result.add(dep);
      else for (const further of depsOf(dep)) result.add(further);
    }
    found = [...result].sort();
    deployingDeps.set(name, found);
    return found;
  };
  return plan.services
    .filter((service) => service.deploy)
    .flatMap((service) =>
      regions.map((region) => ({
        id: taskId(service.name, region),
        service: service.name,
        region,
        needs: depsOf(service.name).map((dep) => taskId(dep, region)),
      })),
    );
}
