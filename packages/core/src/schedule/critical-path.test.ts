import { describe, expect, it } from 'vitest';
import { expectedDurations, inCriticalPathOrder, remainingPaths, type WaitingTask } from './critical-path.js';

const task = (id: string, ...needs: string[]): WaitingTask => ({ id, needs });

/** x ← y ← z, a chain of three, beside the leaves a, b and c. */
const chainAndLeaves = [task('a'), task('b'), task('c'), task('x'), task('y', 'x'), task('z', 'y')];

describe('remainingPaths', () => {
  it('counts the longest chain of tasks waiting on each task, the task itself included', () => {
    expect(Object.fromEntries(remainingPaths(chainAndLeaves))).toEqual({
      a: 1,
      b: 1,
      c: 1,
      x: 3,
      y: 2,
      z: 1,
    });
  });

  it('takes the longest branch, not the sum of the branches', () => {
    // root ← left ← end, root ← right, end also waits for right.
    const tasks = [task('root'), task('left', 'root'), task('right', 'root'), task('end', 'left', 'right')];
    expect(Object.fromEntries(remainingPaths(tasks))).toEqual({ root: 3, left: 2, right: 2, end: 1 });
  });

  it('adds up expected durations along the chain, 1 for a task without one', () => {
    const durations = new Map([
      ['a', 900],
      ['x', 100],
      ['y', 200],
    ]);
    expect(Object.fromEntries(remainingPaths(chainAndLeaves, durations))).toEqual({
      a: 900,
      b: 1,
      c: 1,
      x: 301,
      y: 201,
      z: 1,
    });
  });

  it('ignores needs that name no task and a need written twice', () => {
    expect(Object.fromEntries(remainingPaths([task('a', 'gone'), task('b', 'a', 'a')]))).toEqual({
      a: 2,
      b: 1,
    });
  });

  it('says which tasks wait on each other', () => {
    expect(() => remainingPaths([task('a', 'c'), task('b', 'a'), task('c', 'b'), task('d')])).toThrow(
      'tasks wait on each other: a, b, c',
    );
  });

  it('is empty for no tasks', () => {
    expect(remainingPaths([])).toEqual(new Map());
  });
});

describe('inCriticalPathOrder', () => {
  it('puts the head of the longest chain before short leaves listed earlier', () => {
    expect(inCriticalPathOrder(chainAndLeaves)).toEqual(['x', 'y', 'a', 'b', 'c', 'z']);
  });

  it('breaks a tie by more tasks waiting directly, then by id', () => {
    // Every root heads a chain of two; hub has two tasks waiting on it, the others one.
    const tasks = [
      task('beta'),
      task('alpha'),
      task('hub'),
      task('after-beta', 'beta'),
      task('after-alpha', 'alpha'),
      task('hub-1', 'hub'),
      task('hub-2', 'hub'),
    ];
    expect(inCriticalPathOrder(tasks)).toEqual([
      'hub',
      'alpha',
      'beta',
      'after-alpha',
      'after-beta',
      'hub-1',
      'hub-2',
    ]);
  });

  it('orders each region by its own chains, a service region by region', () => {
    // api ← web ← report in both regions; solo alone, and only in us-east-1.
    const tasks = [
      task('api@eu-west-1'),
      task('api@us-east-1'),
      task('report@eu-west-1', 'web@eu-west-1'),
      task('report@us-east-1', 'web@us-east-1'),
      task('solo@us-east-1'),
      task('web@eu-west-1', 'api@eu-west-1'),
      task('web@us-east-1', 'api@us-east-1'),
    ];
    expect(Object.fromEntries(remainingPaths(tasks))).toEqual({
      'api@eu-west-1': 3,
      'api@us-east-1': 3,
      'report@eu-west-1': 1,
      'report@us-east-1': 1,
      'solo@us-east-1': 1,
      'web@eu-west-1': 2,
      'web@us-east-1': 2,
    });
    expect(inCriticalPathOrder(tasks)).toEqual([
      'api@eu-west-1',
      'api@us-east-1',
      'web@eu-west-1',
      'web@us-east-1',
      'report@eu-west-1',
      'report@us-east-1',
      'solo@us-east-1',
    ]);
  });

  it('follows expected durations when it has them: one long deploy before a chain of short ones', () => {
    const durations = new Map([
      ['a', 900],
      ['x', 100],
      ['y', 200],
      ['z', 300],
    ]);
    expect(inCriticalPathOrder(chainAndLeaves, durations)).toEqual(['a', 'x', 'y', 'z', 'b', 'c']);
  });

  it('gives the same order whatever order the tasks come in', () => {
    expect(inCriticalPathOrder([...chainAndLeaves].reverse())).toEqual(inCriticalPathOrder(chainAndLeaves));
  });
});

describe('expectedDurations', () => {
  const tasks = [
    { id: 'a@eu', service: 'a', region: 'eu' },
    { id: 'a@us', service: 'a', region: 'us' },
    { id: 'b@eu', service: 'b', region: 'eu' },
    { id: 'c@eu', service: 'c', region: 'eu' },
  ];

  it("takes each task's last recorded deploy in its region, and the median of those for the rest", () => {
    const records = { a: { durationsMs: { eu: 900, us: 100 } }, b: { durationsMs: { eu: 300 } }, c: {} };
    expect(Object.fromEntries(expectedDurations(tasks, records))).toEqual({
      'a@eu': 900,
      'a@us': 100,
      'b@eu': 300,
      'c@eu': 300,
    });
  });

  it('is empty when nothing is recorded, so every task counts 1', () => {
    expect(expectedDurations(tasks, { a: {}, b: { durationsMs: {} } }).size).toBe(0);
  });

  it('lets one long deploy go before a chain of short ones', () => {
    const chain = [task('long'), task('s1'), task('s2', 's1'), task('s3', 's2')];
    expect(inCriticalPathOrder(chain)[0]).toBe('s1');
    const durations = new Map([
      ['long', 600],
      ['s1', 20],
      ['s2', 20],
      ['s3', 20],
    ]);
    expect(inCriticalPathOrder(chain, durations)[0]).toBe('long');
  });
});
