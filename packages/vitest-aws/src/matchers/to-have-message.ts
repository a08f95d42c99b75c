// toHaveMessage: an SQS queue holds a message whose body (parsed JSON, else the string) satisfies a predicate.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { lookThroughQueue, sqsClientConfig, type SqsClientProps } from '../services/sqs.js';

export interface SqsProps extends SqsClientProps, PollOptions {
  queueUrl: string;
  /** Delete the message that matched, so a later assertion cannot match it again (default false). */
  deleteMessages?: boolean;
}

const shown = 5;

export async function toHaveMessage(
  this: MatcherState,
  props: SqsProps,
  predicate: (body: unknown) => boolean,
): Promise<MatcherResult> {
  requireProps('toHaveMessage', props, ['region', 'queueUrl']);
  const { queueUrl, deleteMessages = false } = props;
  const subject = `queue "${queueUrl.split('/').at(-1) ?? queueUrl}" (${props.region})`;
  const clientConfig = sqsClientConfig(props.clientConfig);
  const { holds, actual } = await withClient(SQSClient, { ...props, clientConfig }, (client) =>
    pollUntilHolds(props, async () => {
      const look = await lookThroughQueue(client, queueUrl, predicate, deleteMessages);
      return { holds: look.match !== undefined, actual: look };
    }),
  ).catch(cannotRead('toHaveMessage', subject));
  const { bodies, match } = actual;
  return report(this, props, {
    hint: ['toHaveMessage', 'queue', 'predicate'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const more = bodies.length > shown ? ' …' : '';
      const seen = `none of its ${bodies.length} visible messages does: ${print.received(bodies.slice(0, shown))}${more}`;
      return {
        subject,
        should: 'have a message matching the predicate',
        but: match
          ? `it has ${print.received(match.body)}`
          : bodies.length === 0
            ? 'it has no visible message'
            : seen,
      };
    },
  });
}
