// toHaveMessage, subscribeToTopic and unsubscribeFromTopic against SQS and SNS on moto.
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { subscribeToTopic, unsubscribeFromTopic } from '../src/index.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

const sqs = new SQSClient({ region });
const sns = new SNSClient({ region });

interface Order {
  id: number;
}
const isOrder = (id: number) => (body: Order) => body.id === id;

async function queue() {
  const name = uniqueName('vitest-aws-queue');
  const { QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const send = async (...bodies: unknown[]) => {
    for (let start = 0; start < bodies.length; start += 10) {
      const Entries = bodies.slice(start, start + 10).map((body, index) => ({
        Id: String(index),
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    }
  };
  /** Every message visible right now, received with VisibilityTimeout 0 so they stay. */
  const visible = async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    return Messages.map(({ Body }) => Body).sort();
  };
  return { name, send, visible, props: { region, queueUrl, ...fast } };
}

describe('toHaveMessage', () => {
  it('passes at the first poll where a body matches, and leaves every message visible in the queue', async () => {
    const { send, visible, props } = await queue();
    await send({ id: 1 }, { id: 2 }, 'plain text');
    expect(await timed(expect({ ...props, ...patient }).toHaveMessage(isOrder(2)))).toBeLessThan(
      patient.timeout / 2,
    );
    await expect(props).toHaveMessage((body) => body === 'plain text');
    expect(await visible()).toEqual(['plain text', '{"id":1}', '{"id":2}']);
  });

  it('looks through more messages than one receive returns (10)', async () => {
    const { send, props } = await queue();
    await send(...Array.from({ length: 25 }, (_, index) => ({ id: index })));
    await expect(props).toHaveMessage(isOrder(24));
  });

  it('with deleteMessages, deletes the message that matched and only that one', async () => {
    const { send, visible, props } = await queue();
    await send({ id: 1 }, { id: 2 });
    await expect({ ...props, deleteMessages: true }).toHaveMessage(isOrder(1));
    expect(await visible()).toEqual(['{"id":2}']);
    await expect(props).not.toHaveMessage(isOrder(1));
  });

  it('fails listing what the queue holds', async () => {
    const { name, send, props } = await queue();
    expect(await failureOf(expect(props).toHaveMessage(isOrder(3)))).toBe(
      `expect(queue).toHaveMessage(predicate)\n\nExpected queue "${name}" (us-east-1) to have a message matching the predicate within 600 ms, but it has no visible message`,
    );
    await send({ id: 1 }, 'plain text');
    expect(await failureOf(expect(props).toHaveMessage(isOrder(3)))).toMatch(
      /, but none of its 2 visible messages does: \[(\{"id": 1\}, "plain text"|"plain text", \{"id": 1\})\]$/,
    );
  });

  it('keeps calls at the endpoint set in AWS_ENDPOINT_URL when the queue URL names AWS’s host', async () => {
    // As moto reports a queue made by CloudFormation; the SDK alone would send the calls to AWS.
    const { send, props } = await queue();
    await send({ id: 1 });
    const { pathname } = new URL(props.queueUrl);
    await expect({ ...props, queueUrl: `https://sqs.us-east-1.amazonaws.com${pathname}` }).toHaveMessage(
      isOrder(1),
    );
  });

  it('fails in one line naming a queue that does not exist', async () => {
    const { name, props } = await queue();
    const none = { ...props, queueUrl: `${props.queueUrl}-none` };
    await expect(expect(none).toHaveMessage(() => true)).rejects.toThrow(
      new Error(
        `toHaveMessage: cannot read queue "${name}-none" (us-east-1): The specified queue does not exist.`,
      ),
    );
  });

  it('lets an error of the predicate through as it is, and the messages go back to the queue', async () => {
    const { send, visible, props } = await queue();
    await send('plain text');
    const predicate = (body: { id: { value: number } }) => body.id.value === 1;
    await expect(expect(props).toHaveMessage(predicate)).rejects.toThrow(
      new TypeError("Cannot read properties of undefined (reading 'value')"),
    );
    expect(await visible()).toEqual(['plain text']);
  });

  it('.not passes only when no message matches for the whole timeout', async () => {
    const { send, props } = await queue();
    await send({ id: 1 });
    expect(await timed(expect(props).not.toHaveMessage(isOrder(2)))).toBeGreaterThanOrEqual(wholeTimeout);
  });

  it('.not fails when a message matches', async () => {
    const { name, send, props } = await queue();
    await send({ id: 1 });
    expect(await failureOf(expect(props).not.toHaveMessage(isOrder(1)))).toBe(
      `expect(queue).not.toHaveMessage(predicate)\n\nExpected queue "${name}" (us-east-1) not to have a message matching the predicate for 600 ms, but it has {"id": 1}`,
    );
  });

  it('waits for a message sent during the timeout, and not for one sent after it', async () => {
    const { send, props } = await queue();
    const during = after(300, () => send({ id: 1 }));
    expect(await timed(expect({ ...props, ...patient }).toHaveMessage(isOrder(1)))).toBeGreaterThanOrEqual(
      250,
    );
    await during;
    const late = after(1200, () => send({ id: 2 }));
    expect(await failureOf(expect(props).toHaveMessage(isOrder(2)))).toContain(
      'none of its 1 visible messages',
    );
    await late;
  });

  it('.not fails when a message arrives halfway through the timeout (aws-testing-library#577)', async () => {
    const { send, props } = await queue();
    const halfway = after(500, () => send({ id: 1 }));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveMessage(isOrder(1)))).toContain(
      'but it has {"id": 1}',
    );
    await halfway;
  });
});

describe('subscribeToTopic and unsubscribeFromTopic', () => {
  it('deliver what the topic publishes in SNS’s envelope, as aws-testing-library does, then remove both', async () => {
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({ Name: uniqueName('vitest-aws-topic') }),
    );
    const { subscriptionArn, queueUrl } = await subscribeToTopic(region, topicArn);
    try {
      const Message = JSON.stringify({ id: 7 });
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message, Subject: 'order placed' }));
      await expect({ region, queueUrl, ...fast }).toHaveMessage(
        (body) =>
          (body as { Subject?: string }).Subject === 'order placed' &&
          (body as { Message?: string }).Message === Message &&
          (body as { TopicArn?: string }).TopicArn === topicArn,
      );
      await expect({ region, queueUrl, ...fast }).not.toHaveMessage(isOrder(7));
    } finally {
      await unsubscribeFromTopic(region, subscriptionArn, queueUrl);
    }
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions).toEqual([]);
    const queueName = queueUrl.split('/').at(-1);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).rejects.toThrow(
      /does not exist/,
    );
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
    ).rejects.toThrow();
  });

  it('deliver the published body itself with { raw: true }', async () => {
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({ Name: uniqueName('vitest-aws-topic') }),
    );
    const { subscriptionArn, queueUrl } = await subscribeToTopic(region, topicArn, { raw: true });
    try {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ id: 9 }) }));
      await expect({ region, queueUrl, ...fast }).toHaveMessage(isOrder(9));
    } finally {
      await unsubscribeFromTopic(region, subscriptionArn, queueUrl);
    }
  });

  it('give a FIFO topic a FIFO queue', async () => {
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({
        Name: `${uniqueName('vitest-aws-topic')}.fifo`,
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const { subscriptionArn, queueUrl } = await subscribeToTopic(region, topicArn, { raw: true });
    try {
      expect(queueUrl).toMatch(/\.fifo$/);
      const Message = JSON.stringify({ id: 8 });
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message, MessageGroupId: 'orders' }));
      await expect({ region, queueUrl, ...fast }).toHaveMessage(isOrder(8));
    } finally {
      await unsubscribeFromTopic(region, subscriptionArn, queueUrl);
    }
  });
});
