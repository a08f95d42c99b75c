// The DynamoDB backend's stage lock under a race, on moto: of processes calling tryLock at the same
// instant, exactly one wins every round, for a free lock and for an expired one; renewing a lock that
// another run took fails with E_LOCK_LOST and leaves theirs alone.
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbStateStore } from '../src/state/dynamodb-store.js';
import { lockRace } from './helpers/lock-race.js';

const ROUNDS = Number(process.env.SHIPGRAPH_SOAK_RUNS ?? 30);
const region = process.env.AWS_REGION ?? 'us-east-1';
const dynamo = new DynamoDBClient({});
let tables = 0;

async function table(): Promise<{ name: string; store: DynamoDbStateStore }> {
  const name = `shipgraph-race-${process.pid}-${tables++}`;
  const store = new DynamoDbStateStore(name, region);
  await store.createTable();
  return { name, store };
}

const key = { pk: { S: 'stage#race' }, sk: { S: 'lock' } };
const lock = (owner: string) => ({
  owner,
  host: 'here',
  pid: process.pid,
  acquiredAt: new Date().toISOString(),
  expiresAt: Date.now() + 60_000,
});

describe('DynamoDB backend lock (moto)', () => {
  it(`${ROUNDS} rounds of 6 processes taking a free lock at once: exactly one wins each round`, async () => {
    const { name } = await table();
    const winners = await lockRace({
      backend: 'dynamodb',
      where: name,
      contenders: 6,
      rounds: ROUNDS,
      free: async () => {
        await dynamo.send(new DeleteItemCommand({ TableName: name, Key: key }));
      },
    });
    expect(winners.map((round) => round.length)).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 180_000);

  it(`${ROUNDS} rounds of 6 processes taking over an expired lock at once: exactly one wins each round`, async () => {
    const { name } = await table();
    const expire = async () => {
      await dynamo.send(
        new PutItemCommand({
          TableName: name,
          Item: {
            ...key,
            owner: { S: 'gone' },
            host: { S: 'x' },
            pid: { N: '1' },
            acquiredAt: { S: 'then' },
            expiresAt: { N: String(Date.now() - 60_000) },
          },
        }),
      );
    };
    await expire();
    const winners = await lockRace({
      backend: 'dynamodb',
      where: name,
      contenders: 6,
      rounds: ROUNDS,
      free: expire,
    });
    expect(winners.map((round) => round.length)).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 180_000);

  it('renewing a lock another run took fails (E_LOCK_LOST) and leaves theirs alone', async () => {
    const { store } = await table();
    const mine = lock('me');
    expect(await store.tryLock('staging', mine)).toBeNull();
    await store.breakLock('staging');
    expect(await store.tryLock('staging', lock('them'))).toBeNull();
    await expect(
      store.renewLock('staging', { ...mine, expiresAt: Date.now() + 60_000 }),
    ).rejects.toMatchObject({
      code: 'E_LOCK_LOST',
    });
    expect((await store.peekLock('staging'))?.owner).toBe('them');
  });
});
