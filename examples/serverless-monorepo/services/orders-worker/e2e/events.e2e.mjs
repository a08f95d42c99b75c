// orders-worker against its deployed stage: order events reach its queue and update orders-api's table.
import '@shipgraph/vitest-aws/register';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { writeItems } from '@shipgraph/vitest-aws';
import { describe, expect, it } from 'vitest';

const region = process.env.SHIPGRAPH_REGION;
const queueUrl = process.env.SHIPGRAPH_OUTPUT_ORDERS_WORKER_ORDERSQUEUEURL;
const table = process.env.SHIPGRAPH_OUTPUT_ORDERS_API_ORDERSTABLENAME;
process.env.ORDERS_TABLE = table;
const { applyOrderEvents } = await import('../src/handlers.mjs');

const orderId = `e2e-${Date.now()}`;
const paid = JSON.stringify({ type: 'order.paid', orderId });

describe('orders-worker', () => {
  it('receives order events on its queue', async () => {
    // Send to the endpoint configured (AWS_ENDPOINT_URL), not to the host in the queue URL: on AWS they agree,
    // and the local emulator reports CloudFormation-made queues under AWS's own host.
    const sqs = new SQSClient({ region, useQueueUrlAsEndpoint: false });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: paid }));
    await expect({ region, queueUrl, timeout: 5000 }).toHaveMessage((body) => body.orderId === orderId);
  });

  it('applies an event to the order in the orders table', async () => {
    await writeItems(region, table, [{ id: orderId, status: 'placed', customerEmail: 'ada@example.com' }]);
    // Lambda code does not run in the local emulator: the handler runs here, on the event SQS would deliver.
    const result = await applyOrderEvents({ Records: [{ messageId: 'm-1', body: paid }] });
    expect(result).toEqual({ batchItemFailures: [] });
    await expect({ region, table }).toHaveItem({ id: orderId }, { id: orderId, status: 'paid' }, false);
  });

  it('reports an unreadable event as a failure of that message only', async () => {
    const result = await applyOrderEvents({ Records: [{ messageId: 'bad', body: '{"type":"order.lost"}' }] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
