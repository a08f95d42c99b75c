// The default state backend: one JSON file per stage in the repository (`.shipgraph/state/<stage>.json`).
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { ShipgraphError, type PackageName, type ServiceRecord, type StageState } from '@shipgraph/core';
import { emptyState, type LockInfo, type StateStore } from './store.js';

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

  async read(stage: string): Promise<StageState> {
    let text: string;
    try {
      text = await readFile(this.fileOf(stage), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(stage);
      throw new ShipgraphError(
        'E_STATE',
        `cannot read ${this.describe(stage)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
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

  async tryLock(stage: string, lock: LockInfo): Promise<LockInfo | null> {
    const file = this.lockFileOf(stage);
    await mkdir(dirname(file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, JSON.stringify(lock) + '\n', { flag: 'wx' });
        return null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await this.readLock(stage);
      if (holder !== null && holder.expiresAt > Date.now()) return holder;
      // Expired (or unreadable): remove it and try once more; `wx` lets only one process win.
      await unlink(file).catch(() => undefined);
    }
    return (await this.readLock(stage)) ?? lock;
  }

  async renewLock(stage: string, lock: LockInfo): Promise<void> {
    const holder = await this.readLock(stage);
    if (holder?.owner === lock.owner)
      await this.writeAtomically(this.lockFileOf(stage), JSON.stringify(lock) + '\n');
  }

  async releaseLock(stage: string, owner: string): Promise<void> {
    const holder = await this.readLock(stage);
    if (holder?.owner === owner) await unlink(this.lockFileOf(stage)).catch(() => undefined);
  }

  async breakLock(stage: string): Promise<LockInfo | null> {
    const holder = await this.readLock(stage);
    await unlink(this.lockFileOf(stage)).catch(() => undefined);
    return holder;
  }

  peekLock(stage: string): Promise<LockInfo | null> {
    return this.readLock(stage);
  }

  private async readLock(stage: string): Promise<LockInfo | null> {
    try {
      return JSON.parse(await readFile(this.lockFileOf(stage), 'utf8')) as LockInfo;
    } catch {
      return null;
    }
  }

  /** Write then rename, so a crash never leaves a half-written file. */
  private async writeAtomically(file: string, text: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${this.temporaryFiles++}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, file);
  }

  private lockFileOf(stage: string): string {
    return join(this.root, this.dir, `${stage}.lock`);
  }

  private fileOf(stage: string): string {
    return join(this.root, this.dir, `${stage}.json`);
  }
}

export function parseState(text: string, stage: string, where: string): StageState {
  const fail = (problem: string): ShipgraphError =>
    new ShipgraphError('E_STATE', `${where} ${problem}`, {
      hint: `fix or delete it, then run "shipgraph state mark --stage ${stage}" to record what is deployed`,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('is not valid JSON');
  }
  const state = parsed as { version?: unknown; services?: unknown } | null;
  if (state?.version !== 1 || typeof state.services !== 'object' || state.services === null) {
    throw fail('is not a shipgraph state file (version 1)');
  }
  for (const [name, record] of Object.entries(state.services)) {
    if (!isRecord(record)) throw fail(`has a malformed record for ${name}`);
  }
  const lastRun = (parsed as { lastRun?: StageState['lastRun'] }).lastRun;
  return {
    version: 1,
    stage,
    services: state.services as StageState['services'],
    ...(lastRun === undefined ? {} : { lastRun }),
  };
}

const isRecord = (value: unknown): value is ServiceRecord => {
  const record = value as Partial<ServiceRecord> | null;
  return (
    typeof record?.commit === 'string' &&
    /^[0-9a-f]{40}$/.test(record.commit) &&
    (record.fingerprint === null || typeof record.fingerprint === 'string') &&
    typeof record.deployedAt === 'string' &&
    Array.isArray(record.regions) &&
    (record.dirty === undefined || typeof record.dirty === 'boolean') &&
    (record.changed === undefined || record.changed === null || typeof record.changed === 'boolean') &&
    (record.e2e === undefined ||
      ['passed', 'failed', 'untested'].includes((record.e2e as { status?: unknown }).status as string))
  );
};
