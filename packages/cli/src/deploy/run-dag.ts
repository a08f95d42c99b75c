// Runs tasks as a DAG: each starts as soon as everything it needs has succeeded, within a concurrency cap.
import { inCriticalPathOrder } from '@shipgraph/core';
import pLimit, { type LimitFunction } from 'p-limit';
import { Interrupted } from '../process/interrupts.js';

export interface DagTask {
  id: string;
  needs: readonly string[];
  /** Tasks of a kind share that kind's cap (`caps`); tasks without one share `concurrency`. */
  kind?: string;
}

export type TaskOutcome =
  | { status: 'succeeded'; startedAt: number; endedAt: number }
  | { status: 'failed'; startedAt: number; endedAt: number; error: unknown }
  | { status: 'blocked'; why: string };

/**
 * What a watcher sees as the DAG runs. A task's start and end are its run's to tell (it knows how it
 * went), an interruption it noticed included; the DAG tells what it decided: waiting, blocked.
 */
export type DagEvent =
  /** `on`: the tasks it still needs; empty, it is ready and waits for a slot. */
  | { type: 'waiting'; id: string; on: readonly string[] }
  | { type: 'started'; id: string }
  | { type: 'blocked'; id: string; why: string };

export interface DagOptions<T> {
  concurrency: number;
  /** A cap of its own per task kind (e2e runs beside deploys), instead of `concurrency`. */
  caps?: Readonly<Record<string, number>>;
  /** After the first failure, start nothing new (running tasks still finish). */
  failFast: boolean;
  /** Aborting starts nothing new; running tasks are the caller's to stop. */
  signal: AbortSignal;
  run: (task: T) => Promise<void>;
  now?: () => number;
  /** Expected duration of each task by id (any unit), to rank chains by time instead of by count. */
  durations?: ReadonlyMap<string, number>;
  onEvent?: (event: DagEvent) => void;
}

export function runDag<T extends DagTask>(
  tasks: readonly T[],
  options: DagOptions<T>,
): Promise<Map<string, TaskOutcome>> {
  const now = options.now ?? Date.now;
  const tell = options.onEvent ?? (() => undefined);
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const task of tasks) {
    waiting.set(task.id, task.needs.length);
    for (const need of task.needs) {
      if (!byId.has(need)) throw new Error(`task ${task.id} needs unknown task ${need}`);
      dependents.set(need, [...(dependents.get(need) ?? []), task.id]);
    }
  }

  const outcomes = new Map<string, TaskOutcome>();
  // One queue per cap: a ready e2e run never waits for a deploy's slot, nor a deploy for an e2e run's.
  const pools = new Map<string, { limit: LimitFunction; ready: T[] }>();
  const poolOf = (task: T): { limit: LimitFunction; ready: T[] } => {
    const cap = task.kind === undefined ? undefined : options.caps?.[task.kind];
    const key = cap === undefined ? '' : (task.kind ?? '');
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = { limit: pLimit(cap ?? options.concurrency), ready: [] };
      pools.set(key, pool);
    }
    return pool;
  };
  let stopReason: string | null = null;
  // When a slot frees, the ready task heading the longest chain starts (critical-path list scheduling).
  const rank = new Map(inCriticalPathOrder(tasks, options.durations).map((id, index) => [id, index]));
  const rankOf = (task: T): number => rank.get(task.id) ?? 0;

  return new Promise((resolve) => {
    const settle = (id: string, outcome: TaskOutcome): void => {
      if (outcomes.has(id)) return;
      outcomes.set(id, outcome);
      if (outcomes.size === tasks.length) resolve(outcomes);
    };
    /** `told`: the task's own run already said how it ended; what waits on it is told here. */
    const block = (id: string, why: string, told = false): void => {
      if (outcomes.has(id)) return;
      settle(id, { status: 'blocked', why });
      if (!told) tell({ type: 'blocked', id, why });
      for (const next of dependents.get(id) ?? []) block(next, why);
    };
    const unfinished = (task: T): string[] =>
      task.needs.filter((need) => outcomes.get(need)?.status !== 'succeeded');
    // p-limit keeps the cap, but its queue is first come, first served: so each call it runs takes
    // the most urgent task ready at the moment its slot frees, whichever task's readiness queued it.
    const makeReady = (task: T): void => {
      const pool = poolOf(task);
      pool.ready.push(task);
      void pool.limit(() => startMostUrgent(pool.ready));
    };
    const startMostUrgent = async (ready: T[]): Promise<void> => {
      const task = ready.reduce((best, next) => (rankOf(next) < rankOf(best) ? next : best));
      ready.splice(ready.indexOf(task), 1);
      const stopped = stopReason ?? (options.signal.aborted ? 'interrupted' : null);
      if (stopped !== null) {
        block(task.id, stopped);
        return;
      }
      const startedAt = now();
      tell({ type: 'started', id: task.id });
      try {
        await options.run(task);
      } catch (error) {
        // Stopped by a signal (before it started anything, or an e2e run while it ran): not its own failure.
        if (error instanceof Interrupted) {
          block(task.id, 'interrupted', true);
          return;
        }
        if (options.failFast) stopReason = `not started: --fail-fast after ${task.id} failed`;
        settle(task.id, { status: 'failed', startedAt, endedAt: now(), error });
        for (const next of dependents.get(task.id) ?? []) block(next, `blocked by ${task.id}`);
        return;
      }
      settle(task.id, { status: 'succeeded', startedAt, endedAt: now() });
      for (const next of dependents.get(task.id) ?? []) {
        const left = (waiting.get(next) ?? 0) - 1;
        waiting.set(next, left);
        const nextTask = byId.get(next);
        if (nextTask !== undefined && !outcomes.has(next))
          tell({ type: 'waiting', id: next, on: unfinished(nextTask) });
        if (left === 0 && nextTask !== undefined && !outcomes.has(next)) makeReady(nextTask);
      }
    };
    if (tasks.length === 0) resolve(outcomes);
    for (const task of tasks) tell({ type: 'waiting', id: task.id, on: task.needs });
    for (const task of tasks) if (task.needs.length === 0) makeReady(task);
  });
}
