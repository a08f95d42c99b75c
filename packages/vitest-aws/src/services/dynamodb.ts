// DynamoDB access for toHaveItem and the table utilities: read one item, clear a table, write items.
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  paginateScan,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { withClient, type ClientOptions, type ClientProps } from '../clients.js';
import { batchWrite } from './batch-write.js';

export type DynamoDbClientProps = ClientProps<DynamoDBClient, DynamoDBClientConfig>;
export type DynamoDbClientOptions = ClientOptions<DynamoDBClient, DynamoDBClientConfig>;

/** A DynamoDB item or key as a plain object (numbers, strings, Sets, Uint8Arrays…). */
export type Item = Record<string, unknown>;

const toAttributes = (item: Item) => marshall(item, { removeUndefinedValues: true });

/** The item with this key, unmarshalled, or undefined. A consistent read, so a write just made is seen. */
export async function getItem(client: DynamoDBClient, table: string, key: Item): Promise<Item | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: toAttributes(key), ConsistentRead: true }),
  );
  return Item && unmarshall(Item);
}

/** Deletes every item of `table` (scanning only its key attributes); resolves to how many it deleted. */
export async function clearAllItems(
  region: string,
  table: string,
  options?: DynamoDbClientOptions,
): Promise<number> {
  return withClient(DynamoDBClient, { ...options, region }, async (client) => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const keyNames = (Table?.KeySchema ?? []).map(({ AttributeName }) => AttributeName ?? '');
    // Key names can be reserved words (`id` is not, `name` is): always go through placeholders.
    const names = Object.fromEntries(keyNames.map((name, index) => [`#k${index}`, name]));
    const scan = { TableName: table, ProjectionExpression: Object.keys(names).join(', ') };
    let deleted = 0;
    for await (const page of paginateScan({ client }, { ...scan, ExpressionAttributeNames: names })) {
      const keys = page.Items ?? [];
      await batchWrite(
        client,
        table,
        keys.map((Key) => ({ DeleteRequest: { Key } })),
      );
      deleted += keys.length;
    }
    return deleted;
  });
}

/** Puts `items` (plain objects) into `table` in batches of 25. */
export async function writeItems(
  region: string,
  table: string,
  items: readonly Item[],
  options?: DynamoDbClientOptions,
): Promise<void> {
  await withClient(DynamoDBClient, { ...options, region }, (client) =>
    batchWrite(
      client,
      table,
      items.map((item) => ({ PutRequest: { Item: toAttributes(item) } })),
    ),
  );
}
