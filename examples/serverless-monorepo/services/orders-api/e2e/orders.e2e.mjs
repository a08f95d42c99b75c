// orders-api against its deployed stage: an order placed through the API lands in the orders table.
import '@shipgraph/vitest-aws/register';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const region = process.env.SHIPGRAPH_REGION;
const table = process.env.SHIPGRAPH_OUTPUT_ORDERS_API_ORDERSTABLENAME;
// The deployed function gets its table from its stack; run locally, the handlers read it from here.
process.env.ORDERS_TABLE = table;
const { createOrder, getOrder } = await import('../src/handlers.mjs');

const order = { customerEmail: 'ada@example.com', items: [{ sku: 'TEA-1', quantity: 2 }], express: true };

// On AWS these requests would go to the stage's HttpApiUrl. The local emulator has no HTTP APIs and runs no
// Lambda code, so a small stand-in for API Gateway calls the same handlers against the emulated table.
let server;
let api;
beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const id = /^\/orders\/([^/]+)$/.exec(request.url ?? '')?.[1];
    const result =
      request.method === 'POST' && request.url === '/orders'
        ? await createOrder({ body })
        : await getOrder({ pathParameters: { id } });
    response.writeHead(result.statusCode, result.headers).end(result.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api = `http://127.0.0.1:${server.address().port}`;
});
afterAll(() => server?.close());

describe('orders-api', () => {
  it('stores a placed order in the orders table', async () => {
    const placed = await createOrder({ body: JSON.stringify(order) });
    expect(placed.statusCode).toBe(201);
    const { id } = JSON.parse(placed.body);
    await expect({ region, table }).toHaveItem(
      { id },
      { id, status: 'placed', customerEmail: order.customerEmail },
      false,
    );
  });

  it('answers over HTTP: a new order, then the order read back', async () => {
    await expect({ url: `${api}/orders`, method: 'POST', data: order }).toReturnResponse({
      statusCode: 201,
      data: expect.objectContaining({ status: 'placed', express: true }),
    });
    await expect({ url: `${api}/orders/no-such-order`, method: 'GET' }).toReturnResponse({
      statusCode: 404,
      data: { error: 'no order no-such-order' },
    });
  });

  it('rejects an order without items, and stores nothing', async () => {
    const rejected = await createOrder({
      body: JSON.stringify({ customerEmail: 'bob@example.com', items: [] }),
    });
    expect(rejected.statusCode).toBe(400);
  });
});
