// The per-stage deploy lock: wait for it, keep it alive while deploying, take it over from a dead process.
import { hostname } from 'node:os';
import { ShipgraphError } from '@shipgraph/core';
import type { LockInfo, StateStore } from './store.js';

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
}

export const lockOwner = (env: NodeJS.ProcessEnv): string =>
  env.CODEBUILD_BUILD_ID !== undefined && env.CODEBUILD_BUILD_ID !== ''
    ? env.CODEBUILD_BUILD_ID
    : `${hostname()}:${process.pid}`;

export async function acquireStageLock(
  store: StateStore,
  stage: string,
  options: LockOptions,
): Promise<HeldLock> {
  const ttlMs = options.ttlMs ?? 120_000;
  const owner = lockOwner(options.env);
  const fresh = (): LockInfo => ({
    owner,
    host: hostname(),
    pid: process.pid,
    acquiredAt: new Date().toISOString(),
    expiresAt: Date.now() + ttlMs,
  });
  const deadline = Date.now() + options.timeoutMs;
  let announced = false;
  for (;;) {
    const info = fresh();
    const holder = await store.tryLock(stage, info);
    if (holder === null) return keepAlive(store, stage, info, ttlMs);
    if (holder.host === hostname() && holder.pid !== process.pid && !isAlive(holder.pid)) {
      options.log(
        `lock of stage ${stage} was held by ${holder.owner}, which is no longer running; taking it over`,
      );
      await store.breakLock(stage);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ShipgraphError(
        'E_LOCKED',
        `stage ${stage} is locked by ${holder.owner} since ${holder.acquiredAt} (${store.describe(stage)})`,
        { hint: `wait for that run, or if it is gone: shipgraph unlock --stage ${stage}`, exitCode: 1 },
      );
    }
    if (!announced) {
      options.log(
        `stage ${stage} is locked by ${holder.owner}; waiting up to ${Math.round(options.timeoutMs / 1000)}s`,
      );
      announced = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())));
  }
}

function keepAlive(store: StateStore, stage: string, info: LockInfo, ttlMs: number): HeldLock {
  let current = info;
  const timer = setInterval(() => {
    current = { ...current, expiresAt: Date.now() + ttlMs };
    store.renewLock(stage, current).catch(() => undefined);
  }, ttlMs / 3);
  timer.unref();
  return {
    info,
    release: async () => {
      clearInterval(timer);
      await store.releaseLock(stage, info.owner);
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
