// toHaveItem, clearAllItems and writeItems against DynamoDB on moto.
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { clearAllItems, writeItems } from '../src/index.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

const dynamo = new DynamoDBClient({ region });
const table = uniqueName('vitest-aws-items');
const props = { region, table, ...fast };

async function put(item: Record<string, unknown>) {
  await dynamo.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
}

beforeAll(async () => {
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }),
  );
});

/** A table keyed by `pk` and `name` (a reserved word, so expressions must use placeholders). */
async function compositeTable() {
  const name = uniqueName('vitest-aws-composite');
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'name', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'name', AttributeType: 'S' },
      ],
    }),
  );
  return name;
}

async function count(tableName: string) {
  const { Count } = await dynamo.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }));
  return Count;
}

const items = (n: number) =>
  Array.from({ length: n }, (_, index) => ({ pk: `p${index % 3}`, name: `n${index}`, tags: new Set(['a']) }));

describe('toHaveItem', () => {
  it('passes at the first poll where the item exists, comparing it as a plain object', async () => {
    await put({ id: 'a', text: 'hello', count: 2 });
    const item = { id: 'a', text: 'hello', count: 2 };
    const took = await timed(expect({ ...props, ...patient }).toHaveItem({ id: 'a' }, item));
    expect(took).toBeLessThan(patient.timeout / 2);
    await expect(props).toHaveItem({ id: 'a' });
    await expect(props).toHaveItem({ id: 'a' }, { text: 'hello' }, false);
    await expect(props).toHaveItem({ id: 'a' }, { id: 'a', text: expect.any(String), count: 2 });
  });

  it('fails when the item is missing or differs', async () => {
    await put({ id: 'b', text: 'hello' });
    expect(await failureOf(expect(props).toHaveItem({ id: 'none' }))).toBe(
      `expect(table).toHaveItem(key)\n\nExpected table "${table}" (us-east-1) to have an item with key {"id": "none"} within 600 ms, but it has none`,
    );
    expect(await failureOf(expect(props).toHaveItem({ id: 'b' }, { id: 'b', text: 'bye' }))).toBe(
      `expect(table).toHaveItem(key, expected)\n\nExpected table "${table}" (us-east-1) to have an item with key {"id": "b"} equal to {"id": "b", "text": "bye"} within 600 ms, but it has {"id": "b", "text": "hello"}`,
    );
  });

  it('fails in one line naming a table that does not exist', async () => {
    const none = uniqueName('vitest-aws-none');
    await expect(expect({ region, table: none }).toHaveItem({ id: 'a' })).rejects.toThrow(
      new Error(`toHaveItem: cannot read table "${none}" (us-east-1): Requested resource not found`),
    );
  });

  it('.not passes only when the item stays absent (or different) for the whole timeout', async () => {
    await put({ id: 'c', text: 'hello' });
    const took = await timed(expect(props).not.toHaveItem({ id: 'none' }));
    expect(took).toBeGreaterThanOrEqual(wholeTimeout);
    await expect(props).not.toHaveItem({ id: 'c' }, { id: 'c', text: 'bye' });
    await expect(props).not.toHaveItem({ id: 'c' }, { text: 'bye' }, false);
  });

  it('.not fails when the item exists', async () => {
    await put({ id: 'd', text: 'hello' });
    expect(await failureOf(expect(props).not.toHaveItem({ id: 'd' }))).toBe(
      `expect(table).not.toHaveItem(key)\n\nExpected table "${table}" (us-east-1) not to have an item with key {"id": "d"} for 600 ms, but it has {"id": "d", "text": "hello"}`,
    );
  });

  it('waits for an item written during the timeout, and not for one written after it', async () => {
    const during = after(300, () => put({ id: 'e' }));
    expect(await timed(expect({ ...props, ...patient }).toHaveItem({ id: 'e' }))).toBeGreaterThanOrEqual(250);
    await during;
    const late = after(1200, () => put({ id: 'f' }));
    expect(await failureOf(expect(props).toHaveItem({ id: 'f' }))).toContain('but it has none');
    await late;
  });

  it('.not fails when the item appears halfway through the timeout (aws-testing-library#577)', async () => {
    const halfway = after(500, () => put({ id: 'g' }));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveItem({ id: 'g' }))).toContain(
      'but it has {"id": "g"}',
    );
    await halfway;
  });
});

describe('writeItems and clearAllItems', () => {
  it('write and delete more items than one batch (25) holds, on a key with a reserved word', async () => {
    const tableName = await compositeTable();
    await writeItems(region, tableName, items(60));
    expect(await count(tableName)).toBe(60);
    await expect({ region, table: tableName }).toHaveItem(
      { pk: 'p2', name: 'n59' },
      { pk: 'p2', name: 'n59', tags: new Set(['a']) },
    );
    expect(await clearAllItems(region, tableName)).toBe(60);
    expect(await count(tableName)).toBe(0);
    expect(await clearAllItems(region, tableName)).toBe(0);
  });

  it('write again what DynamoDB leaves unprocessed', async () => {
    const tableName = await compositeTable();
    // moto never throttles: this client makes it look like it did, as AWS does under load, by writing only
    // the first 10 requests of each batch of 25 and returning the rest as UnprocessedItems.
    const throttled = new DynamoDBClient({ region });
    let partial = 0;
    throttled.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as Partial<BatchWriteItemCommandInput>;
        const requests = input.RequestItems?.[tableName] ?? [];
        if (requests.length <= 10) return next(args);
        partial++;
        const written = await next({
          ...args,
          input: { RequestItems: { [tableName]: requests.slice(0, 10) } },
        });
        const output = written.output as BatchWriteItemCommandOutput;
        return { ...written, output: { ...output, UnprocessedItems: { [tableName]: requests.slice(10) } } };
      },
      { step: 'initialize' },
    );
    await writeItems(region, tableName, items(60), { client: throttled });
    // Each batch of 25 goes in three calls (25 → 15 left → 5 left → done); the last 10 in one.
    expect(partial).toBe(4);
    expect(await count(tableName)).toBe(60);
    expect(await clearAllItems(region, tableName, { client: throttled })).toBe(60);
    expect(await count(tableName)).toBe(0);
  });
});
