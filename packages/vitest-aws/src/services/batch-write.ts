// Writes DynamoDB requests in batches of 25 and retries what DynamoDB leaves unprocessed, with backoff.
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

const batchSize = 25;
const maxAttempts = 8;

export async function batchWrite(
  client: DynamoDBClient,
  table: string,
  requests: WriteRequest[],
): Promise<void> {
  for (let start = 0; start < requests.length; start += batchSize) {
    let pending = requests.slice(start, start + batchSize);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new Error(
          `DynamoDB left ${pending.length} writes to table ${table} unprocessed after ${maxAttempts} attempts`,
        );
      }
      // Unprocessed items mean the table is throttled: wait longer each time (50 ms, 100 ms, … 3.2 s).
      if (attempt > 1) await sleep(50 * 2 ** (attempt - 2));
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
      );
      pending = UnprocessedItems?.[table] ?? [];
    }
  }
}
