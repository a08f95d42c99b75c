// SQS access for toHaveMessage: look through a queue's messages without taking them from its consumers.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import type { ClientProps } from '../clients.js';
import { parseBody } from '../parse-body.js';

export type SqsClientProps = ClientProps<SQSClient, SQSClientConfig>;

/**
 * The SDK sends each call to the host in its QueueUrl, even past an endpoint set in AWS_ENDPOINT_URL; but an
 * emulator reports queues made by CloudFormation under AWS's own host. With an endpoint set, keep calls there.
 */
export function sqsClientConfig(config: SQSClientConfig | undefined, env = process.env): SQSClientConfig {
  const endpointSet = Boolean(env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL);
  return { ...(endpointSet && { useQueueUrlAsEndpoint: false }), ...config };
}

export interface Look {
  /** The bodies seen (parsed JSON when they are JSON), in the order received. */
  bodies: unknown[];
  /** The first body the predicate accepted. */
  match?: { body: unknown };
}

/**
 * Receives the queue's visible messages until one satisfies `predicate` or none is left, then hands them all
 * back. Why a 10 s VisibilityTimeout set back to 0 afterwards, rather than a short VisibilityTimeout alone:
 * held messages cannot come round again within one look, so every message is seen once, and setting them
 * back to 0 at once returns them to the consumer under test (10 s is only the worst case, if this process
 * dies mid-look). Each look still counts as a receive towards a redrive policy's maxReceiveCount.
 */
export async function lookThroughQueue(
  client: SQSClient,
  queueUrl: string,
  predicate: (body: unknown) => boolean,
  deleteMatch: boolean,
): Promise<Look> {
  const held: Message[] = [];
  const look: Look = { bodies: [] };
  try {
    while (!look.match) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 10 }),
      );
      if (Messages.length === 0) break;
      held.push(...Messages);
      for (const message of Messages) {
        const body = parseBody(message.Body ?? '');
        look.bodies.push(body);
        if (predicate(body)) {
          look.match = { body };
          if (deleteMatch) {
            await client.send(
              new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
            );
            held.splice(held.indexOf(message), 1);
          }
          break;
        }
      }
    }
  } finally {
    await release(client, queueUrl, held);
  }
  return look;
}

/** Makes held messages visible again right away, ten per request (the batch limit). */
async function release(client: SQSClient, queueUrl: string, held: Message[]): Promise<void> {
  for (let start = 0; start < held.length; start += 10) {
    const Entries = held.slice(start, start + 10).map(({ ReceiptHandle }, index) => ({
      Id: String(index),
      ReceiptHandle,
      VisibilityTimeout: 0,
    }));
    await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries }));
  }
}
