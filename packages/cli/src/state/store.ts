// Where shipgraph records what is deployed, per stage, and holds the stage's deploy lock.
import { type PackageName, type ServiceRecord, type StageState } from '@shipgraph/core';
import { CliError } from '../errors.js';

export interface LockInfo {
  /** Who holds it, for messages: the CodeBuild build id, else host:pid. */
  owner: string;
  host: string;
  pid: number;
  acquiredAt: string;
  /** Epoch milliseconds; a lock not renewed by then is stale and may be taken over. */
  expiresAt: number;
}

export interface StateStore {
  /** What is recorded for the stage; an empty state when nothing is. */
  read(stage: string): Promise<StageState>;
  /** Records one service at once, so a crash later in the run loses nothing. */
  record(stage: string, service: PackageName, record: ServiceRecord): Promise<void>;
  /** Drops a service's record (it was removed from the stage). */
  forget(stage: string, service: PackageName): Promise<void>;
  /** Records how a deploy run of the stage ended. */
  recordRun(stage: string, run: NonNullable<StageState['lastRun']>): Promise<void>;
  /** Takes the lock if it is free or expired; otherwise returns who holds it. */
  tryLock(stage: string, lock: LockInfo): Promise<LockInfo | null>;
  /** Extends a lock this run holds; fails with E_LOCK_LOST when another run took it. */
  renewLock(stage: string, lock: LockInfo): Promise<void>;
  /** Releases the lock if this owner still holds it. */
  releaseLock(stage: string, owner: string): Promise<void>;
  /** Removes the lock whoever holds it; returns what it was. */
  breakLock(stage: string): Promise<LockInfo | null>;
  /** Who holds the stage lock, without taking it. */
  peekLock(stage: string): Promise<LockInfo | null>;
  /**
   * Locks on single services of a stage, so runs limited to different services (`deploy --only`, one
   * build per service) go in parallel. Only backends whose records are independent items have them.
   */
  readonly serviceLocks?: ServiceLocks;
  /** Where the records live, for messages. */
  describe(stage: string): string;
  /** Where the stage's lock lives, for messages. */
  describeLock(stage: string): string;
}

export interface ServiceLocks {
  tryLock(stage: string, service: PackageName, lock: LockInfo): Promise<LockInfo | null>;
  renewLock(stage: string, service: PackageName, lock: LockInfo): Promise<void>;
  releaseLock(stage: string, service: PackageName, owner: string): Promise<void>;
  breakLock(stage: string, service: PackageName): Promise<LockInfo | null>;
  /** Every service lock recorded in the stage, live or expired. */
  list(stage: string): Promise<Map<PackageName, LockInfo>>;
}

export const emptyState = (stage: string): StageState => ({ version: 1, stage, services: {} });

/** Renewing a lock that another run took (ours expired): the run must stop. */
export const lostLock = (where: string, holder: LockInfo | undefined): CliError =>
  new CliError(
    'E_LOCK_LOST',
    `the lock (${where}) is no longer held by this run: ${holder === undefined ? 'it was removed' : `${holder.owner} took it since ${holder.acquiredAt}`}`,
    { hint: 'the run stopped renewing it in time (the process was suspended?): run again' },
  );

/** Whether a value read back is a whole record this shipgraph can work with. */
export const isServiceRecord = (value: unknown): value is ServiceRecord => {
  const record = value as Partial<ServiceRecord> | null;
  return (
    typeof record?.commit === 'string' &&
    /^[0-9a-f]{40}$/.test(record.commit) &&
    (record.fingerprint === null || typeof record.fingerprint === 'string') &&
    typeof record.deployedAt === 'string' &&
    Array.isArray(record.regions) &&
    (record.dirty === undefined || typeof record.dirty === 'boolean') &&
    (record.changed === undefined || record.changed === null || typeof record.changed === 'boolean') &&
    (record.durationsMs === undefined || isNumberMap(record.durationsMs)) &&
    (record.e2e === undefined ||
      (['passed', 'failed', 'untested'].includes((record.e2e as { status?: unknown }).status as string) &&
        (record.e2e.durationsMs === undefined || isNumberMap(record.e2e.durationsMs))))
  );
};

const isNumberMap = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every((entry) => typeof entry === 'number');
