// notifications against its deployed stage: events published on its topic reach subscribers.
import '@shipgraph/vitest-aws/register';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { subscribeToTopic, unsubscribeFromTopic } from '@shipgraph/vitest-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const region = process.env.SHIPGRAPH_REGION;
const topicArn = process.env.SHIPGRAPH_OUTPUT_NOTIFICATIONS_ORDEREVENTSTOPICARN;
let subscription;

beforeAll(async () => {
  subscription = await subscribeToTopic(region, topicArn);
});
afterAll(async () => {
  if (subscription) await unsubscribeFromTopic(region, subscription.subscriptionArn, subscription.queueUrl);
});

describe('notifications', () => {
  it('fans order events out to its subscribers', async () => {
    const orderId = `e2e-${Date.now()}`;
    const message = JSON.stringify({ type: 'order.shipped', orderId });
    await new SNSClient({ region }).send(
      new PublishCommand({ TopicArn: topicArn, Message: message, Subject: 'order.shipped' }),
    );
    // Subscribers get SNS's envelope: the event is its Message.
    await expect({ region, queueUrl: subscription.queueUrl, timeout: 5000 }).toHaveMessage(
      (envelope) => envelope.Subject === 'order.shipped' && JSON.parse(envelope.Message).orderId === orderId,
    );
  });
});
