// A run that changes a stage: its lock and its signal handlers, taken and released together by one owner.
import type { PackageName } from '@shipgraph/core';
import type { CliError } from '../errors.js';
import { acquireRunLock, type HeldLock } from '../state/lock.js';
import type { StateStore } from '../state/store.js';
import { listenForInterrupts, signalExitCode, type Interrupts } from '../process/interrupts.js';

export interface StageLock extends AsyncDisposable {
  /** Aborted by SIGINT/SIGTERM, or when the lock was lost: start nothing new. */
  signal: AbortSignal;
  /** Kill functions of running child processes, which get the signal as it came. */
  children: Set<(signal: NodeJS.Signals) => void>;
  /** The exit code the run must end with because of a signal (130, 143), or null. */
  interruptedExit: () => number | null;
  /** The signal that interrupted the run, if any. */
  received: () => NodeJS.Signals | null;
  /** Why the run lost its lock, if it did. */
  lost: () => CliError | null;
}

/** What a command's run has that its stage lock needs (a RunContext has all of it). */
export interface LockingRun {
  store: StateStore;
  stage: { name: string };
  io: { env: NodeJS.ProcessEnv };
  log: (line: string) => void;
}

/** The lock of the run's stage, or of some of its services, waiting up to --lock-timeout seconds. */
export const lockRunStage = (
  run: LockingRun,
  lockTimeoutSeconds: number,
  services: readonly PackageName[] | null = null,
): Promise<StageLock> =>
  lockStage({
    store: run.store,
    stage: run.stage.name,
    services,
    timeoutMs: lockTimeoutSeconds * 1000,
    env: run.io.env,
    log: run.log,
  });

export interface StageLockOptions {
  store: StateStore;
  stage: string;
  /** Lock only these services (where the backend can), or the whole stage (null). */
  services: readonly PackageName[] | null;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/**
 * Listens for signals before it takes the lock, and stops listening only after it has released it
 * (`await using lock = await lockStage(...)`): a signal at any moment of the run, even while the
 * lock is taken or given back, leaves no lock behind. A signal while waiting for another run's lock
 * ends the wait (E_INTERRUPTED, E_TERMINATED).
 */
export async function lockStage(options: StageLockOptions): Promise<StageLock> {
  const interrupts: Interrupts = listenForInterrupts(options.log);
  let lost: CliError | null = null;
  let lock: HeldLock;
  try {
    lock = await acquireRunLock(options.store, options.stage, options.services, {
      timeoutMs: options.timeoutMs,
      env: options.env,
      log: options.log,
      signal: interrupts.signal,
      onLost: (error) => {
        lost = error;
        options.log(`${error.message}: starting nothing new`);
        interrupts.stop('lost lock');
      },
    });
  } catch (error) {
    interrupts.dispose();
    throw error;
  }
  return {
    signal: interrupts.signal,
    children: interrupts.children,
    interruptedExit: () => {
      const signal = interrupts.received();
      return signal === null ? null : signalExitCode(signal);
    },
    received: interrupts.received,
    lost: () => lost,
    [Symbol.asyncDispose]: async () => {
      try {
        await lock.release();
      } finally {
        interrupts.dispose();
      }
    },
  };
}
