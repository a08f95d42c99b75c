// orders-worker against its deployed stage: its function takes order events from its queue and updates
// orders-api's table.
import '@shipgraph/vitest-aws/register';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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
  it('its function takes the order events sent to its queue', async () => {
    await writeItems(region, table, [{ id: orderId, status: 'placed', customerEmail: 'ada@example.com' }]);
    // Send to the endpoint configured (AWS_ENDPOINT_URL), not to the host in the queue URL: on AWS they agree,
    // and the local emulator reports CloudFormation-made queues under AWS's own host.
    const sqs = new SQSClient({ region, useQueueUrlAsEndpoint: false });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: paid }));
    // The queue's event source hands each message to the function, and deletes what it applied: the queue
    // drains. (Reading the message here instead would race the function for it.)
    const waiting = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
      );
    };
    await expect.poll(waiting, { timeout: 10_000, interval: 250 }).toBe(0);
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
