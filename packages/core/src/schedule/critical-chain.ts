// The critical path of a run that happened: the chain of deploys that decided when the run ended.
import type { WaitingTask } from './critical-path.js';

/** A task as it ran: null times for one that never started (blocked, skipped). */
export interface TimedTask extends WaitingTask {
  startedAt: number | null;
  endedAt: number | null;
}

/** A task on the critical path, and how long it waited after the need before it had ended. */
export interface ChainStep {
  id: string;
  /**
   * Milliseconds from the end of the need before it on the chain to its own start: time it was ready
   * and waited for a free slot (the concurrency cap). 0 for the first, and for a start within
   * SLOT_WAIT_MS of that end (the scheduler's own time).
   */
  waitedMs: number;
}

/** Up to this long between a need's end and its dependent's start is the scheduler's own time, not a wait. */
export const SLOT_WAIT_MS = 100;

/**
 * The chain of `criticalChain`, each step with the time it waited for a free slot after its need
 * ended: the dependency is what it waited for first, the cap what it waited for then.
 */
export function criticalSteps(tasks: readonly TimedTask[]): ChainStep[] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return criticalChain(tasks).map((id, index, chain) => {
    const before = index === 0 ? undefined : byId.get(chain[index - 1] ?? '');
    const start = byId.get(id)?.startedAt ?? 0;
    const gap = before?.endedAt == null ? 0 : start - before.endedAt;
    return { id, waitedMs: gap > SLOT_WAIT_MS ? gap : 0 };
  });
}

/**
 * Task ids, first to last, from a task without needs to the task that ended last: each one is the
 * need that ended last before the next task started, so it is what that task waited for. A gap
 * between one's end and the next's start is a wait for a free slot (the concurrency cap), not for
 * another dependency (`criticalSteps` says how long). Tasks that did not run are not on it; ties go
 * to the smaller id.
 */
export function criticalChain(tasks: readonly TimedTask[]): string[] {
  const ran = new Map<string, TimedTask & { startedAt: number; endedAt: number }>();
  for (const task of tasks) {
    if (task.startedAt !== null && task.endedAt !== null)
      ran.set(task.id, { ...task, startedAt: task.startedAt, endedAt: task.endedAt });
  }
  const latest = (ids: Iterable<string>): string | undefined => {
    let best: string | undefined;
    for (const id of ids) {
      const end = ran.get(id)?.endedAt;
      if (end === undefined) continue;
      const bestEnd = best === undefined ? -Infinity : (ran.get(best)?.endedAt ?? -Infinity);
      if (end > bestEnd || (end === bestEnd && best !== undefined && id < best)) best = id;
    }
    return best;
  };
  const chain: string[] = [];
  // Needs form a DAG, but a chain never visits a task twice even if handed one that is not.
  for (let id = latest(ran.keys()); id !== undefined && !chain.includes(id);) {
    chain.push(id);
    id = latest(ran.get(id)?.needs ?? []);
  }
  return chain.reverse();
}
