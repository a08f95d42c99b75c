// The AWS state backend: one DynamoDB item per stage and service, and a conditional-write lock item.
//
// Why DynamoDB: each service's record is its own item, written on its own (no read-modify-write of
// a shared document as with one S3 object per stage), and the lock is a single conditional put that
// either wins or names the holder. SSM Parameter Store has no conditional write to build a lock on.
import type { Credentials } from '../aws/access.js';
import type * as DynamoSdk from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type PackageName, type ServiceRecord, type StageState } from '@shipgraph/core';
import { awsError } from '../aws/cloudformation.js';
import {
  emptyState,
  isServiceRecord,
  lostLock,
  type LockInfo,
  type ServiceLocks,
  type StateStore,
} from './store.js';
import { CliError } from '../errors.js';

type Item = Record<string, AttributeValue>;

export class DynamoDbStateStore implements StateStore {
  private client: Promise<DynamoDBClient> | null = null;

  constructor(
    private readonly table: string,
    private readonly region: string,
    /** Credentials for the table's account, when a role reaches it; else the default chain. */
    private readonly credentials?: () => Promise<Credentials>,
  ) {}

  describe(stage: string): string {
    return `dynamodb://${this.table}/stage#${stage} (${this.region})`;
  }

  describeLock(stage: string): string {
    return `dynamodb://${this.table}/stage#${stage}/${STAGE_LOCK} (${this.region})`;
  }

  async read(stage: string): Promise<StageState> {
    const state = emptyState(stage);
    for (const item of await this.items(stage, '', `cannot read the state of stage ${stage}`)) {
      const key = item.sk?.S ?? '';
      if (key.startsWith('service#')) {
        const service = key.slice('service#'.length);
        state.services[service] = recordOf(item, `${this.describe(stage)} ${key}`);
      }
      if (key === 'run')
        state.lastRun = { ok: item.ok?.BOOL === true, commit: item.commit?.S ?? '', at: item.at?.S ?? '' };
    }
    return state;
  }

  async record(stage: string, service: PackageName, record: ServiceRecord): Promise<void> {
    const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    const item: Item = {
      pk: { S: `stage#${stage}` },
      sk: { S: `service#${service}` },
      // The whole record, so no field is ever left behind; the attributes below are for people and
      // queries reading the table (and shipgraph versions that came before this one).
      record: { S: JSON.stringify(record) },
      commit: { S: record.commit },
      deployedAt: { S: record.deployedAt },
      regions: { L: record.regions.map((region) => ({ S: region })) },
      ...(record.fingerprint === null ? {} : { fingerprint: { S: record.fingerprint } }),
      ...(record.dirty === true ? { dirty: { BOOL: true } } : {}),
      ...(record.changed === undefined
        ? {}
        : { changed: record.changed === null ? { NULL: true } : { BOOL: record.changed } }),
      ...(record.stacks === undefined
        ? {}
        : {
            stacks: {
              M: Object.fromEntries(
                Object.entries(record.stacks).map(([region, name]) => [region, { S: name }]),
              ),
            },
          }),
      ...(record.durationsMs === undefined ? {} : { durationsMs: numberMap(record.durationsMs) }),
      ...(record.e2e === undefined
        ? {}
        : {
            e2eStatus: { S: record.e2e.status },
            e2eCommit: { S: record.e2e.commit },
            e2eAt: { S: record.e2e.at },
            ...(record.e2e.durationsMs === undefined
              ? {}
              : { e2eDurationsMs: numberMap(record.e2e.durationsMs) }),
          }),
    };
    await this.call(`cannot record ${service} in stage ${stage}`, (client) =>
      client.send(new PutItemCommand({ TableName: this.table, Item: item })),
    );
  }

  async recordRun(stage: string, run: NonNullable<StageState['lastRun']>): Promise<void> {
    await this.call(`cannot record the run of stage ${stage}`, (client, { PutItemCommand }) =>
      client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: `stage#${stage}` },
            sk: { S: 'run' },
            ok: { BOOL: run.ok },
            commit: { S: run.commit },
            at: { S: run.at },
          },
        }),
      ),
    );
  }

  async forget(stage: string, service: PackageName): Promise<void> {
    await this.call(`cannot forget ${service} in stage ${stage}`, (client, { DeleteItemCommand }) =>
      client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: { S: `stage#${stage}` }, sk: { S: `service#${service}` } },
        }),
      ),
    );
  }

  tryLock(stage: string, lock: LockInfo): Promise<LockInfo | null> {
    return this.tryLockKey(stage, STAGE_LOCK, lock);
  }

  renewLock(stage: string, lock: LockInfo): Promise<void> {
    return this.renewLockKey(stage, STAGE_LOCK, lock);
  }

  releaseLock(stage: string, owner: string): Promise<void> {
    return this.releaseLockKey(stage, STAGE_LOCK, owner);
  }

  breakLock(stage: string): Promise<LockInfo | null> {
    return this.breakLockKey(stage, STAGE_LOCK);
  }

  peekLock(stage: string): Promise<LockInfo | null> {
    return this.readLock(stage, STAGE_LOCK);
  }

  /** Items `lock#<service>` beside the stage's `lock` item. */
  readonly serviceLocks: ServiceLocks = {
    tryLock: (stage, service, lock) => this.tryLockKey(stage, serviceLockKey(service), lock),
    renewLock: (stage, service, lock) => this.renewLockKey(stage, serviceLockKey(service), lock),
    releaseLock: (stage, service, owner) => this.releaseLockKey(stage, serviceLockKey(service), owner),
    breakLock: (stage, service) => this.breakLockKey(stage, serviceLockKey(service)),
    list: async (stage) => {
      const prefix = serviceLockKey('');
      const items = await this.items(stage, prefix, `cannot read the service locks of stage ${stage}`);
      return new Map(items.map((item) => [(item.sk?.S ?? '').slice(prefix.length), lockOf(item)]));
    },
  };

  private async tryLockKey(stage: string, sk: string, lock: LockInfo): Promise<LockInfo | null> {
    const taken = await this.call(`cannot lock ${describeLock(stage, sk)}`, (client, sdk) =>
      client
        .send(
          new sdk.PutItemCommand({
            TableName: this.table,
            Item: lockItem(stage, sk, lock),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': { N: String(Date.now()) } },
          }),
        )
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof sdk.ConditionalCheckFailedException) return false;
            throw error;
          },
        ),
    );
    return taken ? null : ((await this.readLock(stage, sk)) ?? lock);
  }

  /** A conditional update of this run's own lock item: another run's lock (ours expired and was taken) fails it. */
  private async renewLockKey(stage: string, sk: string, lock: LockInfo): Promise<void> {
    const renewed = await this.call(`cannot renew the lock of ${describeLock(stage, sk)}`, (client, sdk) =>
      client
        .send(
          new sdk.UpdateItemCommand({
            TableName: this.table,
            Key: lockKey(stage, sk),
            UpdateExpression: 'SET expiresAt = :expiresAt',
            ConditionExpression: '#owner = :owner AND acquiredAt = :acquiredAt',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':owner': { S: lock.owner },
              ':acquiredAt': { S: lock.acquiredAt },
              ':expiresAt': { N: String(lock.expiresAt) },
            },
          }),
        )
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof sdk.ConditionalCheckFailedException) return false;
            throw error;
          },
        ),
    );
    if (!renewed) {
      throw lostLock(
        `${this.table} ${describeLock(stage, sk)}`,
        (await this.readLock(stage, sk)) ?? undefined,
      );
    }
  }

  private async releaseLockKey(stage: string, sk: string, owner: string): Promise<void> {
    // Conditional on the owner, so a run whose lock expired and was taken never removes the new one.
    await this.call(`cannot unlock ${describeLock(stage, sk)}`, (client, sdk) =>
      client
        .send(
          new sdk.DeleteItemCommand({
            TableName: this.table,
            Key: lockKey(stage, sk),
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
        )
        // Someone else holds it now (ours expired and was taken): theirs stays.
        .catch((error: unknown) => {
          if (!(error instanceof sdk.ConditionalCheckFailedException)) throw error;
        }),
    );
  }

  private async breakLockKey(stage: string, sk: string): Promise<LockInfo | null> {
    const { Attributes } = await this.call(`cannot unlock ${describeLock(stage, sk)}`, (client, sdk) =>
      client.send(
        new sdk.DeleteItemCommand({
          TableName: this.table,
          Key: lockKey(stage, sk),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return Attributes === undefined ? null : lockOf(Attributes);
  }

  /** Creates the table (on-demand billing) if it does not exist. */
  async createTable(): Promise<boolean> {
    const { CreateTableCommand, ResourceInUseException, waitUntilTableExists } =
      await import('@aws-sdk/client-dynamodb');
    const client = await this.dynamo();
    try {
      await client.send(
        new CreateTableCommand({
          TableName: this.table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof ResourceInUseException) return false;
      throw this.failure(error, `cannot create table ${this.table}`);
    }
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName: this.table });
    return true;
  }

  private async readLock(stage: string, sk: string): Promise<LockInfo | null> {
    const { Item } = await this.call(`cannot read the lock of ${describeLock(stage, sk)}`, (client, sdk) =>
      client.send(
        new sdk.GetItemCommand({ TableName: this.table, Key: lockKey(stage, sk), ConsistentRead: true }),
      ),
    );
    return Item === undefined ? null : lockOf(Item);
  }

  /** Every item of the stage whose sort key starts with `prefix`, page by page. */
  private items(stage: string, prefix: string, what: string): Promise<Item[]> {
    return this.call(what, async (client, { paginateQuery }) => {
      const items: Item[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: this.table,
          ConsistentRead: true,
          // DynamoDB refuses an empty string in a key condition, so no prefix means no begins_with.
          ...(prefix === ''
            ? {
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': { S: `stage#${stage}` } },
              }
            : {
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
                ExpressionAttributeValues: { ':pk': { S: `stage#${stage}` }, ':prefix': { S: prefix } },
              }),
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
      return items;
    });
  }

  /** One request (or a few): the SDK is loaded on first use, and any failure becomes one line about `what`. */
  private async call<T>(
    what: string,
    work: (client: DynamoDBClient, sdk: typeof DynamoSdk) => Promise<T>,
  ): Promise<T> {
    const sdk = await import('@aws-sdk/client-dynamodb');
    const client = await this.dynamo();
    try {
      return await work(client, sdk);
    } catch (error) {
      throw this.failure(error, what);
    }
  }

  private dynamo(): Promise<DynamoDBClient> {
    this.client ??= import('@aws-sdk/client-dynamodb').then(
      ({ DynamoDBClient }) =>
        new DynamoDBClient({
          region: this.region,
          maxAttempts: 5,
          ...(this.credentials && { credentials: this.credentials }),
        }),
    );
    return this.client;
  }

  private failure(error: unknown, what: string): CliError {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      return new CliError(
        'E_STATE_TABLE',
        `${what}: DynamoDB table ${this.table} does not exist in ${this.region}`,
        {
          hint: 'create it with `shipgraph state init`',
          cause: error,
        },
      );
    }
    return awsError(error, what);
  }
}

const STAGE_LOCK = 'lock';
const serviceLockKey = (service: PackageName): string => `lock#${service}`;
const describeLock = (stage: string, sk: string): string =>
  sk === STAGE_LOCK ? `stage ${stage}` : `${sk.slice(serviceLockKey('').length)} in stage ${stage}`;

const lockKey = (stage: string, sk: string): Item => ({ pk: { S: `stage#${stage}` }, sk: { S: sk } });

const lockItem = (stage: string, sk: string, lock: LockInfo): Item => ({
  ...lockKey(stage, sk),
  owner: { S: lock.owner },
  host: { S: lock.host },
  pid: { N: String(lock.pid) },
  acquiredAt: { S: lock.acquiredAt },
  expiresAt: { N: String(lock.expiresAt) },
});

const lockOf = (item: Item): LockInfo => ({
  owner: item.owner?.S ?? '?',
  host: item.host?.S ?? '?',
  pid: Number(item.pid?.N ?? 0),
  acquiredAt: item.acquiredAt?.S ?? '?',
  expiresAt: Number(item.expiresAt?.N ?? 0),
});

/** The record an item holds: whole, as written; or from its attributes, as shipgraph wrote them before. */
const recordOf = (item: Item, where: string): ServiceRecord => {
  const whole = item.record?.S;
  if (whole !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(whole);
    } catch {
      parsed = undefined;
    }
    if (!isServiceRecord(parsed)) {
      throw new CliError('E_STATE_INVALID', `${where} holds a malformed record`, {
        hint: 'fix or delete the item, then run "shipgraph state mark" to record what is deployed',
      });
    }
    return parsed;
  }
  const e2eStatus = item.e2eStatus?.S;
  return {
    commit: item.commit?.S ?? '',
    fingerprint: item.fingerprint?.S ?? null,
    deployedAt: item.deployedAt?.S ?? '',
    regions: (item.regions?.L ?? []).map((region) => region.S ?? ''),
    ...(item.stacks?.M === undefined
      ? {}
      : {
          stacks: Object.fromEntries(
            Object.entries(item.stacks.M).map(([region, name]) => [region, name.S ?? '']),
          ),
        }),
    ...(item.durationsMs?.M === undefined ? {} : { durationsMs: numbersOf(item.durationsMs.M) }),
    ...(item.dirty?.BOOL === true ? { dirty: true } : {}),
    ...(item.changed === undefined
      ? {}
      : { changed: item.changed.NULL === true ? null : (item.changed.BOOL ?? null) }),
    ...(e2eStatus === 'passed' || e2eStatus === 'failed' || e2eStatus === 'untested'
      ? {
          e2e: {
            status: e2eStatus,
            commit: item.e2eCommit?.S ?? '',
            at: item.e2eAt?.S ?? '',
            ...(item.e2eDurationsMs?.M === undefined
              ? {}
              : { durationsMs: numbersOf(item.e2eDurationsMs.M) }),
          },
        }
      : {}),
  };
};

/** Region → milliseconds, as a DynamoDB map of numbers, and back. */
const numberMap = (values: Record<string, number>): AttributeValue => ({
  M: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { N: String(value) }])),
});
const numbersOf = (map: Record<string, AttributeValue>): Record<string, number> =>
  Object.fromEntries(Object.entries(map).map(([key, value]) => [key, Number(value.N ?? 0)]));
