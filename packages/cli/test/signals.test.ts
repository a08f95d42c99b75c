// SIGTERM/SIGINT at the moments that matter: just after the lock is taken, just as a deploy slot
// frees (the next deploy is being prepared), and as the run gives its lock back. Nothing starts
// after the signal, and no lock is left behind.
import { existsSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, spawnDeploy, type Watched } from './helpers/deploys.js';

const ROUNDS = 6;

const deploy = (dir: string, args: string[] = []): Watched => spawnDeploy(dir, ['--skip-e2e', ...args]);

const lockFile = (dir: string): string => join(dir, '.shipgraph/state/staging.lock');

/** Lines announcing a process start (`[svc/region] $ command`) after the signal was received. */
const startedAfterSignal = (lines: string[]): string[] => {
  const at = lines.findIndex((line) => /^received SIG(TERM|INT)/.test(line));
  return at < 0 ? [] : lines.slice(at + 1).filter((line) => /^\[[\w-]+\/[\w-]+\] \$ /.test(line));
};

describe('signals at the moments that matter', () => {
  it('SIGTERM the moment the lock is taken: the run ends 143 and gives the lock back', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const repo = commandRepo({ a: [], b: ['a'] });
      repo.commit();
      const state = join(repo.dir, '.shipgraph/state');
      repo.write({ '.shipgraph/state/.keep': '' });
      const watcher = watch(state);
      const run = deploy(repo.dir);
      watcher.on('change', (_event, name) => {
        if (String(name) === 'staging.lock' && existsSync(lockFile(repo.dir))) {
          run.child.kill('SIGTERM');
          watcher.close();
        }
      });
      const code = await run.done;
      watcher.close();
      expect({ round, code, lockLeft: existsSync(lockFile(repo.dir)) }).toEqual({
        round,
        code: 143,
        lockLeft: false,
      });
    }
  });

  it('SIGINT while slots free and fill: a deploy being prepared never starts', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Many short deploys: at any moment some are being prepared (log file, outputs) for a freed slot.
      const services = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, []]));
      const repo = commandRepo(services);
      repo.write({
        'deploy-behaviour.json': Object.fromEntries(
          Object.keys(services).map((name) => [name, { sleepMs: 10 }]),
        ),
      });
      repo.commit();
      const run = deploy(repo.dir, ['--concurrency', '4']);
      // Once deploys are under way, at a different point each round.
      const deployed = 3 + round * 2;
      const timer = setInterval(() => {
        if (run.stderr().filter((line) => /^\[s\d+\/[\w-]+\] deployed s\d+/.test(line)).length >= deployed) {
          clearInterval(timer);
          run.child.kill('SIGINT');
        }
      }, 1);
      const code = await run.done;
      clearInterval(timer);
      expect({
        round,
        code,
        started: startedAfterSignal(run.stderr()),
        lockLeft: existsSync(lockFile(repo.dir)),
      }).toEqual({
        round,
        code: 130,
        started: [],
        lockLeft: false,
      });
    }
  });

  it('SIGINT during a retry’s wait: the retry never starts, and the wait ends at once', async () => {
    const repo = commandRepo({ a: [] });
    repo.write({ 'deploy-behaviour.json': { a: { throttle: 1 } } });
    repo.commit();
    const run = deploy(repo.dir, ['--retry-delay', '5']);
    const timer = setInterval(() => {
      if (run.stderr().some((line) => line.includes('retry 1 of 2 in 5s'))) {
        clearInterval(timer);
        run.child.kill('SIGINT');
      }
    }, 2);
    const code = await run.done;
    clearInterval(timer);
    expect({ code, started: startedAfterSignal(run.stderr()) }).toEqual({ code: 130, started: [] });
  });

  it('SIGTERM as the run gives its lock back: the lock is gone all the same', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const repo = commandRepo({ a: [] });
      repo.commit();
      const run = deploy(repo.dir);
      // The summary is printed just before the lock is released.
      const timer = setInterval(() => {
        if (run.stdout().includes('"results"')) {
          clearInterval(timer);
          run.child.kill('SIGTERM');
        }
      }, 1);
      await run.done;
      clearInterval(timer);
      expect({ round, lockLeft: existsSync(lockFile(repo.dir)) }).toEqual({ round, lockLeft: false });
    }
  });

  it('a signal while waiting for another run’s lock ends the wait at once, taking nothing', async () => {
    const repo = commandRepo({ a: [] });
    repo.commit();
    repo.write({ '.shipgraph/state/.keep': '' });
    writeFileSync(
      lockFile(repo.dir),
      JSON.stringify({ owner: 'build:9', host: 'elsewhere', pid: 1, acquiredAt: 'earlier', ttlMs: 600_000 }),
    );
    const run = deploy(repo.dir, ['--lock-timeout', '60']);
    const timer = setInterval(() => {
      if (run.stderr().some((line) => line.includes('is locked by build:9; waiting'))) {
        clearInterval(timer);
        run.child.kill('SIGTERM');
      }
    }, 5);
    const code = await run.done;
    clearInterval(timer);
    expect(code).toBe(143);
    expect(run.stderr().join('\n')).toContain(
      'shipgraph: E_TERMINATED: interrupted by SIGTERM while waiting for the lock of stage staging (fix: nothing was deployed or recorded; run again)',
    );
    expect(existsSync(join(repo.dir, '.attempts-a'))).toBe(false);
  });
});
