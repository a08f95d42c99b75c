// runDag with deploys the test ends by hand: which task starts when, the cap, failures and interruptions.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { NotStarted } from '../src/process/interrupts.js';
import { runDag, type DagTask } from '../src/deploy/run-dag.js';

const task = (id: string, ...needs: string[]): DagTask => ({ id, needs });

/** x ← y ← z, a chain of three, listed after the leaves a, b, c and d. */
const leavesThenChain = [
  task('a'),
  task('b'),
  task('c'),
  task('d'),
  task('x'),
  task('y', 'x'),
  task('z', 'y'),
];

/** Starts runDag; each deploy runs until `finish` ends it, and the test sees what started, in order. */
function byHand(
  tasks: readonly DagTask[],
  options: { concurrency: number; failFast?: boolean; signal?: AbortSignal },
) {
  const started: string[] = [];
  const running = new Map<string, (error?: Error) => void>();
  let most = 0;
  let clock = 0;
  const done = runDag(tasks, {
    concurrency: options.concurrency,
    failFast: options.failFast ?? false,
    signal: options.signal ?? new AbortController().signal,
    now: () => ++clock,
    run: (one) =>
      new Promise<void>((resolve, reject) => {
        started.push(one.id);
        running.set(one.id, (error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        most = Math.max(most, running.size);
      }),
  });
  let settled = false;
  void done.then(() => (settled = true));
  return {
    done,
    started,
    running: () => [...running.keys()],
    most: () => most,
    settled: () => settled,
    /** Ends a running deploy (with an error: it fails), then lets runDag start what it starts next. */
    finish: async (id: string, error?: Error) => {
      const end = running.get(id);
      if (end === undefined) throw new Error(`${id} is not running`);
      running.delete(id);
      end(error);
      await nextTurn();
    },
  };
}

/** Ends the running deploys one at a time, the longest running first, until none is left. */
async function runInOrder(run: ReturnType<typeof byHand>): Promise<void> {
  await nextTurn();
  for (let next = run.running()[0]; next !== undefined; next = run.running()[0]) await run.finish(next);
}

describe('runDag: which ready task starts first', () => {
  it('with one slot, starts the head of the longest chain, and its next link, before leaves ready earlier', async () => {
    const run = byHand(leavesThenChain, { concurrency: 1 });
    await runInOrder(run);
    await run.done;
    // First come, first served would give a, b, c, d, x, y, z.
    expect(run.started).toEqual(['x', 'y', 'a', 'b', 'c', 'd', 'z']);
  });

  it('with two slots, gives a freed slot to the chain rather than to leaves waiting longer', async () => {
    const run = byHand(leavesThenChain, { concurrency: 2 });
    await nextTurn();
    expect(run.running()).toEqual(['x', 'a']);
    await run.finish('x');
    // b, c and d have been ready from the start; y only now.
    expect(run.running()).toEqual(['a', 'y']);
    await run.finish('a');
    expect(run.running()).toEqual(['y', 'b']);
    await runInOrder(run);
    expect([...(await run.done).values()].every((outcome) => outcome.status === 'succeeded')).toBe(true);
  });

  it("starts the heads of each region's chain before a leaf listed first", async () => {
    const run = byHand(
      [
        task('worker@eu-west-1'),
        task('api@eu-west-1'),
        task('api@us-east-1'),
        task('web@eu-west-1', 'api@eu-west-1'),
        task('web@us-east-1', 'api@us-east-1'),
      ],
      { concurrency: 1 },
    );
    await runInOrder(run);
    expect(run.started).toEqual([
      'api@eu-west-1',
      'api@us-east-1',
      'web@eu-west-1',
      'web@us-east-1',
      'worker@eu-west-1',
    ]);
  });
});

describe('runDag: what it keeps holding', () => {
  it('never runs more than the cap, and every task once', async () => {
    const run = byHand([task('a'), task('b'), task('c'), task('d'), task('e'), task('f', 'a')], {
      concurrency: 2,
    });
    await nextTurn();
    expect(run.running()).toHaveLength(2);
    await runInOrder(run);
    await run.done;
    expect(run.most()).toBe(2);
    expect([...run.started].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('starts a task only after everything it needs has succeeded', async () => {
    const run = byHand([task('a'), task('b'), task('c', 'a', 'b')], { concurrency: 4 });
    await nextTurn();
    expect(run.running()).toEqual(['a', 'b']);
    await run.finish('a');
    expect(run.running()).toEqual(['b']);
    await run.finish('b');
    expect(run.running()).toEqual(['c']);
  });

  it('blocks what waits on a failed task, transitively; the rest runs; outcomes carry the times', async () => {
    const run = byHand([task('a'), task('b', 'a'), task('c', 'b'), task('d')], { concurrency: 4 });
    await nextTurn();
    const failure = new Error('a failed');
    await run.finish('a', failure);
    expect(run.settled()).toBe(false);
    await run.finish('d');
    expect(Object.fromEntries(await run.done)).toEqual({
      a: { status: 'failed', startedAt: 1, endedAt: 3, error: failure },
      b: { status: 'blocked', why: 'blocked by a' },
      c: { status: 'blocked', why: 'blocked by a' },
      d: { status: 'succeeded', startedAt: 2, endedAt: 4 },
    });
  });

  it('with failFast, starts nothing new after a failure; running tasks finish', async () => {
    const run = byHand([task('slow'), task('a'), task('later'), task('after', 'slow')], {
      concurrency: 2,
      failFast: true,
    });
    await nextTurn();
    expect(run.running()).toEqual(['slow', 'a']);
    await run.finish('a', new Error('a failed'));
    expect(run.running()).toEqual(['slow']);
    await run.finish('slow');
    const outcomes = await run.done;
    expect(run.started).toEqual(['slow', 'a']);
    expect(outcomes.get('slow')?.status).toBe('succeeded');
    expect(outcomes.get('later')).toEqual({
      status: 'blocked',
      why: 'not started: --fail-fast after a failed',
    });
    expect(outcomes.get('after')).toEqual({
      status: 'blocked',
      why: 'not started: --fail-fast after a failed',
    });
  });

  it('counts a task that was interrupted before it started as blocked, with what waits on it', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const run = byHand([task('a'), task('b', 'a')], { concurrency: 1 });
    await nextTurn();
    await run.finish('a', new NotStarted(controller.signal));
    expect(Object.fromEntries(await run.done)).toEqual({
      a: { status: 'blocked', why: 'interrupted' },
      b: { status: 'blocked', why: 'interrupted' },
    });
  });

  it('starts nothing once the signal is aborted; the running task finishes', async () => {
    const controller = new AbortController();
    const run = byHand([task('a'), task('b'), task('c', 'a')], { concurrency: 1, signal: controller.signal });
    await nextTurn();
    expect(run.running()).toEqual(['a']);
    controller.abort();
    await run.finish('a');
    expect(run.started).toEqual(['a']);
    expect(Object.fromEntries(await run.done)).toEqual({
      a: { status: 'succeeded', startedAt: 1, endedAt: 2 },
      b: { status: 'blocked', why: 'interrupted' },
      c: { status: 'blocked', why: 'interrupted' },
    });
  });

  it('starts nothing when the signal is aborted before the run', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = byHand([task('a'), task('b', 'a')], { concurrency: 2, signal: controller.signal });
    expect(Object.fromEntries(await run.done)).toEqual({
      a: { status: 'blocked', why: 'interrupted' },
      b: { status: 'blocked', why: 'interrupted' },
    });
    expect(run.started).toEqual([]);
  });

  it('resolves at once, with no outcomes, for no tasks', async () => {
    expect(await byHand([], { concurrency: 2 }).done).toEqual(new Map());
  });

  it('refuses a task that needs an unknown task', () => {
    expect(() => byHand([task('a', 'gone')], { concurrency: 1 })).toThrow('task a needs unknown task gone');
  });
});
