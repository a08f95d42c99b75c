// Turns a plan into the tasks of a run: a deploy per service and region, and the e2e runs after them,
// each task knowing which tasks it waits for.
import type { PackageName, Plan } from '../types.js';

export interface DeployTask {
  /** `service@region`. */
  id: string;
  service: PackageName;
  region: string;
  /** Ids of the tasks that must succeed before this one starts. */
  needs: string[];
}

/** A step of a run: a service's deploy in a region, or its e2e tests there. */
export interface RunTask extends DeployTask {
  kind: 'deploy' | 'e2e';
}

export const taskId = (service: PackageName, region: string): string => `${service}@${region}`;

/** `orders@eu-west-1 e2e`: the e2e run after `orders@eu-west-1`. */
export const e2eTaskId = (service: PackageName, region: string): string => `${taskId(service, region)} e2e`;

/**
 * A service waits, in the same region, for every deploying service it depends on — directly,
 * through libraries, or through services that are not deploying this run.
 */
export function deployTasks(plan: Plan, regions: readonly string[]): DeployTask[] {
  return runTasks(plan, regions, { e2e: new Set(), gate: false }).map(({ id, service, region, needs }) => ({
    id,
    service,
    region,
    needs,
  }));
}

export interface RunShape {
  /** Services whose e2e tests run in this run (deploying or not). */
  e2e: ReadonlySet<PackageName>;
  /** Dependents' deploys wait for these e2e runs too, and are blocked when one fails. */
  gate: boolean;
}

/**
 * Deploy tasks as `deployTasks` makes them, and an e2e task per tested service and region, ready once
 * the service has deployed there (when it deploys) and so has every deploying service it depends on.
 * With `gate`, a deploy also waits for the e2e runs of the services it waits for, and of the tested
 * services it depends on through services that run nothing.
 */
export function runTasks(plan: Plan, regions: readonly string[], shape: RunShape): RunTask[] {
  const deploying = new Set(plan.services.filter((service) => service.deploy).map((service) => service.name));
  const tested = plan.services
    .filter((service) => shape.e2e.has(service.name))
    .map((service) => service.name);
  const waitsFor = nearestWhere(plan, (name) => deploying.has(name));
  const gatedBy = nearestWhere(plan, (name) => deploying.has(name) || shape.e2e.has(name));
  const tasks: RunTask[] = [];
  for (const service of plan.services.filter((one) => one.deploy)) {
    const gates = shape.gate ? (gatedBy.get(service.name) ?? []).filter((dep) => shape.e2e.has(dep)) : [];
    for (const region of regions) {
      tasks.push({
        id: taskId(service.name, region),
        kind: 'deploy',
        service: service.name,
        region,
        needs: [
          ...(waitsFor.get(service.name) ?? []).map((dep) => taskId(dep, region)),
          ...gates.map((dep) => e2eTaskId(dep, region)),
        ],
      });
    }
  }
  for (const name of tested) {
    const after = deploying.has(name) ? [name] : (waitsFor.get(name) ?? []);
    for (const region of regions) {
      tasks.push({
        id: e2eTaskId(name, region),
        kind: 'e2e',
        service: name,
        region,
        needs: after.map((dep) => taskId(dep, region)),
      });
    }
  }
  return tasks;
}

/**
 * For each deploying service, the deploying services it must wait for: its dependencies, looking
 * through the ones that are not deploying this run to what they depend on.
 */
export function deployingDependencies(plan: Plan): Map<PackageName, PackageName[]> {
  const deploying = new Set(plan.services.filter((service) => service.deploy).map((service) => service.name));
  const nearest = nearestWhere(plan, (name) => deploying.has(name));
  return new Map([...nearest].filter(([name]) => deploying.has(name)));
}

/** For every planned service, the nearest services it depends on that `counts`, looking through the rest. */
function nearestWhere(plan: Plan, counts: (name: PackageName) => boolean): Map<PackageName, PackageName[]> {
  const byName = new Map(plan.services.map((service) => [service.name, service]));
  const found = new Map<PackageName, PackageName[]>();
  const depsOf = (name: PackageName): PackageName[] => {
    let deps = found.get(name);
    if (deps !== undefined) return deps;
    const result = new Set<PackageName>();
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (counts(dep)) result.add(dep);
      else for (const further of depsOf(dep)) result.add(further);
    }
    deps = [...result].sort();
    found.set(name, deps);
    return deps;
  };
  return new Map(plan.services.map((service) => [service.name, depsOf(service.name)]));
}
