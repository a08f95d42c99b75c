// Applies order events (paid, shipped, cancelled) from the queue to the orders table owned by orders-api.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { parseOrderEvent } from '@acme/shared';

const dynamodb = new DynamoDBClient({});
const TableName = process.env.ORDERS_TABLE;

/** Reports failed messages only, so one bad event is retried (then dead-lettered) without its batch. */
export async function applyOrderEvents(event) {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const { orderId, status } = parseOrderEvent(record.body);
      await dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: { id: { S: orderId } },
          UpdateExpression: 'SET #status = :status, updatedAt = :now',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': { S: status }, ':now': { S: new Date().toISOString() } },
        }),
      );
    } catch (error) {
      console.error(
        JSON.stringify({ message: 'order event not applied', id: record.messageId, error: `${error}` }),
      );
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
