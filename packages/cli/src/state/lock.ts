// Deploy locks: wait for them, keep them alive while deploying, take them over from a dead process.
//
// A run over the whole stage holds the stage lock. A run limited to some services (`--only`, e.g. one
// CodeBuild build per service) holds a lock per service instead, where the backend has them, so runs
// for different services go in parallel. The two kinds exclude each other: a stage run waits until no
// service lock is held, and a service run gives its locks back and waits while the stage lock is held.
import { hostname } from 'node:os';
import type { PackageName } from '@shipgraph/core';
import type { LockInfo, StateStore } from './store.js';
import { CliError } from '../errors.js';

export interface HeldLock {
  info: LockInfo;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another run's lock before giving up. */
  timeoutMs: number;
  /** How long the lock lives without renewal; it is renewed every third of that. */
  ttlMs?: number;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  pollMs?: number;
  /** Aborting stops the wait for another run's lock (E_INTERRUPTED). */
  signal?: AbortSignal;
  /** Called when a renewal finds that another run took the lock (ours had expired). */
  onLost?: (error: CliError) => void;
}

/** One lock item, whichever it is. */
interface LockSlot {
  what: string;
  /** For `shipgraph unlock`, in the message of a lock that is not given up. */
  unlockHint: string;
  where: string;
  tryLock(info: LockInfo): Promise<LockInfo | null>;
  renew(info: LockInfo): Promise<void>;
  release(owner: string): Promise<void>;
  break(): Promise<LockInfo | null>;
}

export const lockOwner = (env: NodeJS.ProcessEnv): string =>
  env.CODEBUILD_BUILD_ID !== undefined && env.CODEBUILD_BUILD_ID !== ''
    ? env.CODEBUILD_BUILD_ID
    : `${hostname()}:${process.pid}`;

export function acquireStageLock(store: StateStore, stage: string, options: LockOptions): Promise<HeldLock> {
  return acquireRunLock(store, stage, null, options);
}

/**
 * The lock a run needs: the stage's for a run over the whole stage (`services` null), else one per
 * service when the backend has them, else the stage's again.
 */
export async function acquireRunLock(
  store: StateStore,
  stage: string,
  services: readonly PackageName[] | null,
  options: LockOptions,
): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs;
  const serviceLocks = store.serviceLocks;
  if (services === null || services.length === 0 || serviceLocks === undefined) {
    const held = await acquire(stageSlot(store, stage), deadline, options);
    if (serviceLocks === undefined) return held;
    try {
      await waitForServiceRuns(store, stage, deadline, options);
    } catch (error) {
      await held.release();
      throw error;
    }
    return held;
  }
  let announced = false;
  for (;;) {
    // A fixed order, so two runs wanting overlapping services never hold one each and wait forever.
    const held: HeldLock[] = [];
    try {
      for (const service of [...new Set(services)].sort())
        held.push(await acquire(serviceSlot(store, stage, service), deadline, options));
    } catch (error) {
      await releaseAll(held);
      throw error;
    }
    const holder = await store.peekLock(stage);
    if (holder === null || holder.expiresAt <= Date.now() || holder.owner === lockOwner(options.env))
      return combined(held);
    await releaseAll(held);
    if (Date.now() >= deadline) throw lockedError(stageSlot(store, stage), holder);
    if (!announced) {
      options.log(`stage ${stage} is locked by ${holder.owner} (a run over the whole stage); waiting`);
      announced = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
    if (options.signal?.aborted === true) throw interrupted(stageSlot(store, stage), options.signal);
  }
}

async function acquire(slot: LockSlot, deadline: number, options: LockOptions): Promise<HeldLock> {
  const ttlMs = options.ttlMs ?? 120_000;
  const owner = lockOwner(options.env);
  const fresh = (): LockInfo => ({
    owner,
    host: hostname(),
    pid: process.pid,
    acquiredAt: new Date().toISOString(),
    expiresAt: Date.now() + ttlMs,
  });
  let announced = false;
  for (;;) {
    if (options.signal?.aborted === true) throw interrupted(slot, options.signal);
    const info = fresh();
    const holder = await slot.tryLock(info);
    if (holder === null) return keepAlive(slot, info, ttlMs, options.onLost);
    if (heldByDeadProcess(holder)) {
      options.log(
        `lock of ${slot.what} was held by ${holder.owner}, which is no longer running; taking it over`,
      );
      await slot.break();
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(slot, holder);
    if (!announced) {
      options.log(
        `${slot.what} is locked by ${holder.owner}; waiting up to ${Math.round(options.timeoutMs / 1000)}s`,
      );
      announced = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
  }
}

const interrupted = (slot: LockSlot, signal: AbortSignal): CliError => {
  const name = typeof signal.reason === 'string' ? signal.reason : 'a signal';
  return new CliError(
    name === 'SIGTERM' ? 'E_TERMINATED' : 'E_INTERRUPTED',
    `interrupted by ${name} while waiting for the lock of ${slot.what}`,
    { hint: 'nothing was deployed or recorded; run again' },
  );
};

/** Holding the stage lock, waits out the runs limited to single services that started before it. */
async function waitForServiceRuns(
  store: StateStore,
  stage: string,
  deadline: number,
  options: LockOptions,
): Promise<void> {
  const serviceLocks = store.serviceLocks;
  if (serviceLocks === undefined) return;
  let announced = false;
  for (;;) {
    const live: [PackageName, LockInfo][] = [];
    for (const [service, holder] of await serviceLocks.list(stage)) {
      if (holder.expiresAt <= Date.now()) continue;
      if (heldByDeadProcess(holder)) await serviceLocks.breakLock(stage, service);
      else live.push([service, holder]);
    }
    const first = live[0];
    if (first === undefined) return;
    // Said before giving up too: an E_LOCKED for one service is puzzling for a run over the stage.
    if (!announced) {
      options.log(
        `waiting for the runs deploying ${live.map(([service]) => service).join(', ')} in stage ${stage}`,
      );
      announced = true;
    }
    if (Date.now() >= deadline) throw lockedError(serviceSlot(store, stage, first[0]), first[1]);
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
    if (options.signal?.aborted === true) throw interrupted(stageSlot(store, stage), options.signal);
  }
}

function stageSlot(store: StateStore, stage: string): LockSlot {
  return {
    what: `stage ${stage}`,
    unlockHint: `shipgraph unlock --stage ${stage}`,
    where: store.describeLock(stage),
    tryLock: (info) => store.tryLock(stage, info),
    renew: (info) => store.renewLock(stage, info),
    release: (owner) => store.releaseLock(stage, owner),
    break: () => store.breakLock(stage),
  };
}

function serviceSlot(store: StateStore, stage: string, service: PackageName): LockSlot {
  const locks = store.serviceLocks;
  if (locks === undefined) throw new Error(`${store.describe(stage)} has no service locks`);
  return {
    what: `${service} in stage ${stage}`,
    unlockHint: `shipgraph unlock --stage ${stage} --only ${service}`,
    where: store.describe(stage),
    tryLock: (info) => locks.tryLock(stage, service, info),
    renew: (info) => locks.renewLock(stage, service, info),
    release: (owner) => locks.releaseLock(stage, service, owner),
    break: () => locks.breakLock(stage, service),
  };
}

const lockedError = (slot: LockSlot, holder: LockInfo): CliError =>
  new CliError(
    'E_LOCKED',
    `${slot.what} is locked by ${holder.owner} since ${holder.acquiredAt} (${slot.where})`,
    { hint: `wait for that run, or if it is gone: ${slot.unlockHint}` },
  );

function keepAlive(
  slot: LockSlot,
  info: LockInfo,
  ttlMs: number,
  onLost: ((error: CliError) => void) | undefined,
): HeldLock {
  let current = info;
  const timer = setInterval(() => {
    current = { ...current, expiresAt: Date.now() + ttlMs };
    slot.renew(current).catch((error: unknown) => {
      // Another run took the lock (ours expired): this run must start nothing more. A failure to
      // reach the store is tried again at the next renewal, well before the lock expires.
      if (error instanceof CliError && error.code === 'E_LOCK_LOST') {
        clearInterval(timer);
        onLost?.(error);
      }
    });
  }, ttlMs / 3);
  timer.unref();
  return {
    info,
    release: async () => {
      clearInterval(timer);
      await slot.release(info.owner);
    },
  };
}

const combined = (held: HeldLock[]): HeldLock => ({
  info: held[0]?.info ?? { owner: '', host: '', pid: 0, acquiredAt: '', expiresAt: 0 },
  release: () => releaseAll(held),
});

async function releaseAll(held: readonly HeldLock[]): Promise<void> {
  await Promise.all(held.map((lock) => lock.release()));
}

/** A lock left by a process on this host that has since died can be taken at once. */
const heldByDeadProcess = (holder: LockInfo): boolean =>
  holder.host === hostname() && holder.pid !== process.pid && !isAlive(holder.pid);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits, or less when the signal aborts (without throwing: the caller looks at the signal). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
