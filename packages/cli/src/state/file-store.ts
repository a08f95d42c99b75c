// The default state backend: one JSON file per stage in the repository (`.shipgraph/state/<stage>.json`).
import { link, mkdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { type PackageName, type ServiceRecord, type StageState } from '@shipgraph/core';
import { emptyState, isServiceRecord, lostLock, type LockInfo, type StateStore } from './store.js';
import { CliError } from '../errors.js';

/** How long a lock file whose content cannot be read counts as held, from its last change. */
const UNREADABLE_LOCK_TTL_MS = 120_000;
/** A takeover of an expired lock takes milliseconds; one older than this was left by a run that died. */
const STALE_TAKEOVER_MS = 30_000;

/** A lock file as read: its holder, and its raw text (what a takeover checks it still removes). */
interface LockFile {
  info: LockInfo;
  text: string;
}

export class FileStateStore implements StateStore {
  private readonly held = new Map<string, Promise<StageState>>();
  private writing: Promise<void> = Promise.resolve();
  private readonly nextWrite = new Map<string, Promise<void>>();
  private temporaryFiles = 0;

  constructor(
    private readonly root: string,
    private readonly dir: string,
  ) {}

  describe(stage: string): string {
    return relative(this.root, this.fileOf(stage)) || this.fileOf(stage);
  }

  describeLock(stage: string): string {
    return relative(this.root, this.lockFileOf(stage)) || this.lockFileOf(stage);
  }

  async read(stage: string): Promise<StageState> {
    let text: string;
    try {
      text = await readFile(this.fileOf(stage), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(stage);
      throw this.fsError(error, 'read', this.fileOf(stage));
    }
    return parseState(text, stage, this.describe(stage));
  }

  async record(stage: string, service: PackageName, record: ServiceRecord): Promise<void> {
    const state = await this.heldState(stage);
    state.services[service] = record;
    await this.flush(stage, state);
  }

  async recordRun(stage: string, run: NonNullable<StageState['lastRun']>): Promise<void> {
    const state = await this.heldState(stage);
    state.lastRun = run;
    await this.flush(stage, state);
  }

  async forget(stage: string, service: PackageName): Promise<void> {
    const state = await this.heldState(stage);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- records are keyed by service name
    delete state.services[service];
    await this.flush(stage, state);
  }

  /** The stage's state, read once: only the lock holder writes, so it stays ours to change. */
  private heldState(stage: string): Promise<StageState> {
    let held = this.held.get(stage);
    if (held === undefined) this.held.set(stage, (held = this.read(stage)));
    return held;
  }

  /**
   * Writes the stage's state once for every record made before the write starts: parallel deploys
   * finishing together share one write instead of racing on the file or queueing one write each.
   */
  private flush(stage: string, state: StageState): Promise<void> {
    let next = this.nextWrite.get(stage);
    if (next === undefined) {
      next = this.writing.then(() => {
        this.nextWrite.delete(stage);
        return this.writeAtomically(this.fileOf(stage), JSON.stringify(state, null, 2) + '\n');
      });
      this.nextWrite.set(stage, next);
      this.writing = next.catch(() => undefined);
    }
    return next;
  }

  /**
   * The lock file is made whole before it appears: written under a temporary name, then linked to its
   * name, which fails if the file exists. So no run ever reads a half-written lock, and of runs
   * taking a free lock at the same instant exactly one wins.
   */
  async tryLock(stage: string, lock: LockInfo): Promise<LockInfo | null> {
    const file = this.lockFileOf(stage);
    const text = JSON.stringify({ ...lock, ttlMs: lock.expiresAt - Date.now() }) + '\n';
    const temporary = await this.writeTemporary(file, text);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await link(temporary, file);
          return null;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.fsError(error, 'lock', file);
        }
        const holder = await this.readLock(stage);
        if (holder === null) continue; // released meanwhile: try again
        if (holder.info.expiresAt > Date.now()) return holder.info;
        await this.removeExpired(file, holder);
      }
      return (await this.readLock(stage))?.info ?? lock;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  /**
   * Takes an expired lock away, one run at a time: the run that creates the takeover file (as a lock
   * file is created, so only one can) checks the lock is still the expired one and removes it; the
   * others leave it be. Then every run tries to create its lock again, and one wins. A takeover file
   * left by a run that died midway is cleared once it is old.
   */
  private async removeExpired(file: string, expired: LockFile): Promise<void> {
    const takeover = `${file}.takeover`;
    const marker = await this.writeTemporary(takeover, expired.text);
    try {
      try {
        await link(marker, takeover);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.fsError(error, 'lock', takeover);
        const since = await stat(takeover).then(
          (stats) => stats.mtimeMs,
          () => Date.now(),
        );
        if (Date.now() - since > STALE_TAKEOVER_MS) await unlink(takeover).catch(() => undefined);
        return; // another run is taking it over
      }
      try {
        const current = await readFile(file, 'utf8').catch(() => null);
        // Only the run holding the takeover file removes a lock, so it is still the expired one, or gone.
        if (current === expired.text) await unlink(file).catch(() => undefined);
      } finally {
        await unlink(takeover).catch(() => undefined);
      }
    } finally {
      await unlink(marker).catch(() => undefined);
    }
  }

  /** Renewal only touches the file (its time is what expires), so it can never overwrite another run's lock. */
  async renewLock(stage: string, lock: LockInfo): Promise<void> {
    const holder = await this.readLock(stage);
    if (!isSameLock(holder?.info, lock)) throw lostLock(this.describeLock(stage), holder?.info);
    const now = new Date();
    await utimes(this.lockFileOf(stage), now, now).catch((error: unknown) => {
      throw this.fsError(error, 'renew', this.lockFileOf(stage));
    });
  }

  async releaseLock(stage: string, owner: string): Promise<void> {
    const holder = await this.readLock(stage);
    if (holder?.info.owner === owner) await this.removeLockFile(stage);
  }

  async breakLock(stage: string): Promise<LockInfo | null> {
    const holder = await this.readLock(stage);
    await this.removeLockFile(stage);
    return holder?.info ?? null;
  }

  async peekLock(stage: string): Promise<LockInfo | null> {
    return (await this.readLock(stage))?.info ?? null;
  }

  private async removeLockFile(stage: string): Promise<void> {
    await unlink(this.lockFileOf(stage)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw this.fsError(error, 'remove', this.lockFileOf(stage));
    });
  }

  /**
   * The holder of the lock, alive until its file's last change plus its time to live. A lock file
   * that cannot be read (left half-written by an older shipgraph, or damaged) is held by someone
   * unknown until it is old enough.
   */
  private async readLock(stage: string): Promise<LockFile | null> {
    const file = this.lockFileOf(stage);
    let text: string;
    let changed: number;
    try {
      [text, changed] = await Promise.all([
        readFile(file, 'utf8'),
        stat(file).then((stats) => stats.mtimeMs),
      ]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.fsError(error, 'read', file);
    }
    try {
      const parsed = JSON.parse(text) as LockInfo & { ttlMs?: unknown };
      if (typeof parsed.owner !== 'string') throw new Error('not a lock');
      // Locks written before the time to live was kept carry their expiry time instead.
      const expiresAt = typeof parsed.ttlMs === 'number' ? changed + parsed.ttlMs : parsed.expiresAt;
      if (typeof expiresAt !== 'number') throw new Error('not a lock');
      return { text, info: { ...parsed, expiresAt } };
    } catch {
      const info = {
        owner: 'an unknown run (the lock file cannot be read)',
        host: '',
        pid: 0,
        acquiredAt: new Date(changed).toISOString(),
        expiresAt: changed + UNREADABLE_LOCK_TTL_MS,
      };
      return { text, info };
    }
  }

  /** Write then rename, so a crash never leaves a half-written file. */
  private async writeAtomically(file: string, text: string): Promise<void> {
    const temporary = await this.writeTemporary(file, text);
    try {
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw this.fsError(error, 'write', file);
    }
  }

  private async writeTemporary(file: string, text: string): Promise<string> {
    const temporary = `${file}.${process.pid}.${this.temporaryFiles++}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(temporary, text);
    } catch (error) {
      throw this.fsError(error, 'write', file);
    }
    return temporary;
  }

  /** Every filesystem failure on the state directory, as one line with the path and the fix. */
  private fsError(
    error: unknown,
    action: 'read' | 'write' | 'lock' | 'renew' | 'remove',
    file: string,
  ): CliError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const where = relative(this.root, file) || file;
    const dir = relative(this.root, join(this.root, this.dir)) || this.dir;
    const problem =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? [
            'permission denied',
            `make ${dir} writable, or set "state": { "dir": "..." } in shipgraph.config.json`,
          ]
        : code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR'
          ? [
              'a file stands where a directory should be, or a directory where a file should',
              `move what is in the way of ${where}, or set "state": { "dir": "..." } in shipgraph.config.json`,
            ]
          : code === 'ENAMETOOLONG'
            ? ['the stage name is too long for a file name', 'use a shorter stage name']
            : code === 'ENOSPC'
              ? ['no space left on the device', 'free some space']
              : [(error as Error).message, `check ${dir}`];
    return new CliError('E_STATE', `cannot ${action} ${where}: ${problem[0]}`, {
      hint: problem[1],
      cause: error,
    });
  }

  private lockFileOf(stage: string): string {
    return join(this.root, this.dir, `${stage}.lock`);
  }

  private fileOf(stage: string): string {
    return join(this.root, this.dir, `${stage}.json`);
  }
}

/** The same lock: one owner can take a lock twice (a build retried with its id), so the start time counts too. */
const isSameLock = (held: LockInfo | undefined, mine: LockInfo): boolean =>
  held !== undefined && held.owner === mine.owner && held.acquiredAt === mine.acquiredAt;

export function parseState(text: string, stage: string, where: string): StageState {
  const fail = (problem: string): CliError =>
    new CliError('E_STATE_INVALID', `${where} ${problem}`, {
      hint: `fix or delete it, then run "shipgraph state mark --stage ${stage}" to record what is deployed`,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('is not valid JSON');
  }
  const state = parsed as { version?: unknown; services?: unknown } | null;
  if (typeof state?.version === 'number' && state.version > 1) {
    // Deleting it would lose every record: the way on is a shipgraph that reads it.
    throw new CliError(
      'E_STATE_VERSION',
      `${where} was written by a newer shipgraph (state version ${state.version}; this one reads version 1)`,
      { hint: 'upgrade shipgraph (npm i -D shipgraph@latest), and run the same version in CI and locally' },
    );
  }
  if (state?.version !== 1 || typeof state.services !== 'object' || state.services === null) {
    throw fail('is not a shipgraph state file (version 1)');
  }
  for (const [name, record] of Object.entries(state.services)) {
    if (!isServiceRecord(record)) throw fail(`has a malformed record for ${name}`);
  }
  const lastRun = (parsed as { lastRun?: StageState['lastRun'] }).lastRun;
  return {
    version: 1,
    stage,
    services: state.services as StageState['services'],
    ...(lastRun === undefined ? {} : { lastRun }),
  };
}
