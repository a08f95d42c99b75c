// The critical path of a finished run, from literal timings.
import { describe, expect, it } from 'vitest';
import { criticalChain, criticalSteps, type TimedTask } from './critical-chain.js';

const ran = (id: string, startedAt: number, endedAt: number, ...needs: string[]): TimedTask => ({
  id,
  needs,
  startedAt,
  endedAt,
});
const notRun = (id: string, ...needs: string[]): TimedTask => ({ id, needs, startedAt: null, endedAt: null });

describe('criticalChain', () => {
  it('follows, from the task that ended last, the need that ended last', () => {
    // db (0-10) ← api (10-30) ← web (30-35); auth (0-25) ← api too; cron (0-20) beside them.
    const tasks = [
      ran('db', 0, 10),
      ran('auth', 0, 25),
      ran('api', 25, 30, 'db', 'auth'),
      ran('web', 30, 35, 'api'),
      ran('cron', 0, 20),
    ];
    expect(criticalChain(tasks)).toEqual(['auth', 'api', 'web']);
  });

  it('is the longest-running independent task when nothing waited on anything', () => {
    expect(criticalChain([ran('a', 0, 5), ran('b', 0, 9), ran('c', 1, 7)])).toEqual(['b']);
  });

  it('ends at the last task to end, even when that task failed, and leaves out what never ran', () => {
    // base (0-4) ← api, which failed at 12; web was blocked by it; cron ended at 8.
    const tasks = [ran('base', 0, 4), ran('api', 4, 12, 'base'), notRun('web', 'api'), ran('cron', 0, 8)];
    expect(criticalChain(tasks)).toEqual(['base', 'api']);
  });

  it('goes by the actual times, not by how many tasks a branch has', () => {
    // a ← b ← c finish early; slow alone ends last.
    const tasks = [ran('a', 0, 1), ran('b', 1, 2, 'a'), ran('c', 2, 3, 'b'), ran('slow', 0, 10)];
    expect(criticalChain(tasks)).toEqual(['slow']);
  });

  it('keeps a dependency that ended long before its dependent started (a wait for a free slot)', () => {
    expect(criticalChain([ran('a', 0, 2), ran('b', 0, 6), ran('c', 6, 9, 'a')])).toEqual(['a', 'c']);
  });

  it('breaks ties by id, so the same run always gives the same chain', () => {
    const tasks = [ran('y', 0, 5), ran('x', 0, 5), ran('z', 5, 8, 'y', 'x'), ran('w', 0, 8)];
    expect(criticalChain(tasks)).toEqual(['w']);
    expect(criticalChain(tasks.slice(0, 3))).toEqual(['x', 'z']);
  });

  it('is empty when nothing ran, and ignores needs that name no task', () => {
    expect(criticalChain([notRun('a'), notRun('b', 'a')])).toEqual([]);
    expect(criticalChain([ran('a', 0, 3, 'gone')])).toEqual(['a']);
  });

  it('stops rather than loop when handed needs that go round', () => {
    expect(criticalChain([ran('a', 0, 3, 'b'), ran('b', 0, 2, 'a')])).toEqual(['b', 'a']);
  });

  it('says how long each step waited for a free slot after its need ended, and not for the scheduler', () => {
    // a (0-2000) ← c, which started at 6000 when b freed the only slot; d started 30 ms after c ended.
    const tasks = [
      ran('a', 0, 2000),
      ran('b', 0, 6000),
      ran('c', 6000, 9000, 'a'),
      ran('d', 9030, 9500, 'c'),
    ];
    expect(criticalSteps(tasks)).toEqual([
      { id: 'a', waitedMs: 0 },
      { id: 'c', waitedMs: 4000 },
      { id: 'd', waitedMs: 0 },
    ]);
  });
});
