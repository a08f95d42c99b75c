// Which ready deploy to start first: the one at the head of the longest chain of deploys still to run.
import type { PackageName, ServiceRecord } from '../types.js';

export interface WaitingTask {
  id: string;
  /** Ids of the tasks it waits for. */
  needs: readonly string[];
}

/**
 * Each task's remaining path: its own expected duration plus the longest chain of tasks that wait on
 * it, transitively. A task without an expected duration counts 1, so without durations the remaining
 * path is the length of that chain in tasks. Needs that name no task are ignored.
 */
export function remainingPaths(
  tasks: readonly WaitingTask[],
  durations: ReadonlyMap<string, number> = new Map(),
): Map<string, number> {
  const dependents = dependentsOf(tasks);
  // Kahn's order, every task after those it waits for: no recursion, however long the chain.
  const left = new Map(
    tasks.map((task) => [task.id, [...new Set(task.needs)].filter((need) => dependents.has(need)).length]),
  );
  const order = tasks.filter((task) => left.get(task.id) === 0).map((task) => task.id);
  for (const id of order) {
    for (const next of dependents.get(id) ?? []) {
      const count = (left.get(next) ?? 0) - 1;
      left.set(next, count);
      if (count === 0) order.push(next);
    }
  }
  if (order.length < left.size) {
    const stuck = [...left].filter(([, count]) => count > 0).map(([id]) => id);
    throw new Error(`tasks wait on each other: ${stuck.join(', ')}`);
  }
  const paths = new Map<string, number>();
  for (const id of order.reverse()) {
    const longest = Math.max(0, ...(dependents.get(id) ?? []).map((next) => paths.get(next) ?? 0));
    paths.set(id, (durations.get(id) ?? 1) + longest);
  }
  return paths;
}

/**
 * Task ids in the order to start them when they are ready together: longest remaining path first, then
 * more tasks waiting on it directly, then by id, so that the same tasks always start in the same order.
 */
export function inCriticalPathOrder(
  tasks: readonly WaitingTask[],
  durations?: ReadonlyMap<string, number>,
): string[] {
  const paths = remainingPaths(tasks, durations);
  const dependents = dependentsOf(tasks);
  const path = (id: string): number => paths.get(id) ?? 0;
  const waiting = (id: string): number => dependents.get(id)?.length ?? 0;
  return tasks
    .map((task) => task.id)
    .sort((a, b) => path(b) - path(a) || waiting(b) - waiting(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/** id → the ids of the tasks that wait for it, one entry per task. */
function dependentsOf(tasks: readonly WaitingTask[]): Map<string, string[]> {
  const dependents = new Map<string, string[]>(tasks.map((task) => [task.id, []]));
  for (const task of tasks) for (const need of new Set(task.needs)) dependents.get(need)?.push(task.id);
  return dependents;
}

/**
 * How long each task is expected to take: its service's last deploy (or e2e run) in its region, as
 * recorded. A task without one counts as the median of those known, so known and unknown mix in one
 * unit; with none known the map is empty and every task counts 1.
 */
export function expectedDurations(
  tasks: readonly { id: string; service: PackageName; region: string; kind?: 'deploy' | 'e2e' }[],
  records: Readonly<Record<PackageName, Pick<ServiceRecord, 'durationsMs' | 'e2e'>>>,
): Map<string, number> {
  const known = new Map<string, number>();
  for (const task of tasks) {
    const record = records[task.service];
    const ms = (task.kind === 'e2e' ? record?.e2e?.durationsMs : record?.durationsMs)?.[task.region];
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) known.set(task.id, ms);
  }
  if (known.size === 0) return known;
  const sorted = [...known.values()].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 1;
  return new Map(tasks.map((task) => [task.id, known.get(task.id) ?? median]));
}
