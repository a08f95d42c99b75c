// The file backend's stage lock under a race: of processes calling tryLock at the same instant,
// exactly one wins, every round; a lock file that cannot be read is held until it is old.
import { existsSync, mkdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../src/state/file-store.js';
import { tempDir } from './helpers/repo.js';
import { lockRace } from './helpers/lock-race.js';

const ROUNDS = Number(process.env.SHIPGRAPH_SOAK_RUNS ?? 30);

const lock = (owner: string) => ({
  owner,
  host: 'here',
  pid: process.pid,
  acquiredAt: new Date().toISOString(),
  expiresAt: Date.now() + 60_000,
});

describe('file backend lock', () => {
  it(`${ROUNDS} rounds of 6 processes taking a free lock at once: exactly one wins each round`, async () => {
    const root = tempDir();
    const file = join(root, '.shipgraph/state/race.lock');
    const winners = await lockRace({
      backend: 'file',
      where: root,
      contenders: 6,
      rounds: ROUNDS,
      free: async () => {
        if (existsSync(file)) unlinkSync(file);
        await Promise.resolve();
      },
    });
    expect(winners.map((round) => round.length)).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 120_000);

  it(`${ROUNDS} rounds of 6 processes taking over an expired lock at once: exactly one wins each round`, async () => {
    const root = tempDir();
    const dir = join(root, '.shipgraph/state');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'race.lock');
    const expire = async () => {
      writeFileSync(
        file,
        JSON.stringify({ owner: 'gone', host: 'x', pid: 1, acquiredAt: 'then', ttlMs: 1 }) + '\n',
      );
      const past = new Date(Date.now() - 60_000);
      utimesSync(file, past, past);
      await Promise.resolve();
    };
    await expire();
    const winners = await lockRace({
      backend: 'file',
      where: root,
      contenders: 6,
      rounds: ROUNDS,
      free: expire,
    });
    expect(winners.map((round) => round.length)).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 120_000);

  it('a lock file that cannot be read is held by someone unknown until it is old, then taken over', async () => {
    const root = tempDir();
    const store = new FileStateStore(root, '.shipgraph/state');
    const file = join(root, '.shipgraph/state/staging.lock');
    mkdirSync(join(root, '.shipgraph/state'), { recursive: true });
    writeFileSync(file, '');
    expect(await store.tryLock('staging', lock('me'))).toMatchObject({
      owner: 'an unknown run (the lock file cannot be read)',
    });
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(file, old, old);
    expect(await store.tryLock('staging', lock('me'))).toBeNull();
    expect((await store.peekLock('staging'))?.owner).toBe('me');
  });

  it('renewing a lock another run took fails (E_LOCK_LOST) and leaves theirs alone', async () => {
    const root = tempDir();
    const store = new FileStateStore(root, '.shipgraph/state');
    const mine = lock('me');
    expect(await store.tryLock('staging', mine)).toBeNull();
    await store.breakLock('staging');
    expect(await store.tryLock('staging', lock('them'))).toBeNull();
    await expect(store.renewLock('staging', mine)).rejects.toMatchObject({ code: 'E_LOCK_LOST' });
    expect((await store.peekLock('staging'))?.owner).toBe('them');
  });
});
