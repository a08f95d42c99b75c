// HTTP API handlers: place an order, read it back. Orders live in the table this service owns.
import { Buffer } from 'node:buffer';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { newOrderId, validateOrder } from '@acme/shared';

const dynamodb = new DynamoDBClient({});
const TableName = process.env.ORDERS_TABLE;

export async function createOrder(event) {
  let input;
  try {
    input = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  } catch {
    return json(400, { errors: ['the body must be a JSON order'] });
  }
  const { order, errors } = validateOrder(input);
  if (errors.length > 0) return json(400, { errors });

  const saved = { id: newOrderId(), status: 'placed', createdAt: new Date().toISOString(), ...order };
  await dynamodb.send(
    new PutItemCommand({
      TableName,
      Item: {
        id: { S: saved.id },
        status: { S: saved.status },
        createdAt: { S: saved.createdAt },
        customerEmail: { S: saved.customerEmail },
        items: { S: JSON.stringify(saved.items) },
        express: { BOOL: saved.express },
      },
      ConditionExpression: 'attribute_not_exists(id)',
    }),
  );
  return json(201, saved);
}

export async function getOrder(event) {
  const id = event.pathParameters.id;
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName, Key: { id: { S: id } } }));
  if (Item === undefined) return json(404, { error: `no order ${id}` });
  return json(200, {
    id,
    status: Item.status.S,
    createdAt: Item.createdAt.S,
    customerEmail: Item.customerEmail.S,
    items: JSON.parse(Item.items.S),
    express: Item.express.BOOL,
  });
}

function json(statusCode, body) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
