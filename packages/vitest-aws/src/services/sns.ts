// Subscribes a temporary SQS queue to an SNS topic, so toHaveMessage can see what the topic publishes.
import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { withClient } from '../clients.js';

export interface TopicSubscription {
  subscriptionArn: string;
  queueUrl: string;
}

export interface SubscribeOptions {
  /**
   * Raw message delivery: each message body is exactly what was published. Off by default, as in
   * aws-testing-library: a body is SNS's envelope (`Type`, `MessageId`, `TopicArn`, `Subject`, `Message` as
   * the published string, `Timestamp`, `MessageAttributes`...).
   */
  raw?: boolean;
}

/**
 * Creates a queue that only this topic may send to and subscribes it. A FIFO topic gets a FIFO queue. Undo
 * with unsubscribeFromTopic.
 */
export async function subscribeToTopic(
  region: string,
  topicArn: string,
  { raw = false }: SubscribeOptions = {},
): Promise<TopicSubscription> {
  const fifo = topicArn.endsWith('.fifo');
  return withClient(SQSClient, { region }, async (sqs) => {
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `vitest-aws-${randomUUID()}${fifo ? '.fifo' : ''}`,
        // SNS passes its deduplication id on; content-based deduplication covers a sender (moto) that does not.
        ...(fifo && { Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
      }),
    );
    if (!queueUrl) throw new Error(`SQS created no queue for topic ${topicArn}`);
    try {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const queueArn = Attributes?.QueueArn;
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
          },
        ],
      });
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy } }));
      const subscriptionArn = await withClient(SNSClient, { region }, async (sns) => {
        const { SubscriptionArn } = await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: queueArn,
            Attributes: { RawMessageDelivery: raw ? 'true' : 'false' },
            ReturnSubscriptionArn: true,
          }),
        );
        return SubscriptionArn ?? '';
      });
      return { subscriptionArn, queueUrl };
    } catch (error) {
      // Leave nothing behind when the subscription cannot be made.
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      throw error;
    }
  });
}

/** Removes what subscribeToTopic made: the subscription, then the queue. */
export async function unsubscribeFromTopic(
  region: string,
  subscriptionArn: string,
  queueUrl: string,
): Promise<void> {
  await withClient(SNSClient, { region }, (sns) =>
    sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })),
  );
  await withClient(SQSClient, { region }, (sqs) => sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })));
}
