// toHaveObject: an S3 bucket has an object at this key (and, optionally, with this body).
import { S3Client } from '@aws-sdk/client-s3';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { getObjectBody, hasObject, type S3ClientProps } from '../services/s3.js';

export interface S3Props extends S3ClientProps, PollOptions {
  bucket: string;
}

/** Compared as text when a string is expected, else as bytes. */
export type ObjectBody = string | Uint8Array;

export async function toHaveObject(
  this: MatcherState,
  props: S3Props,
  key: string,
  expectedBody?: ObjectBody,
): Promise<MatcherResult> {
  requireProps('toHaveObject', props, ['region', 'bucket']);
  const { bucket } = props;
  const subject = `bucket "${bucket}" (${props.region})`;
  const { holds, actual } = await withClient(S3Client, props, (client) =>
    pollUntilHolds<{ found: boolean; body?: ObjectBody }>(props, async () => {
      if (expectedBody === undefined) {
        const found = await hasObject(client, bucket, key);
        return { holds: found, actual: { found } };
      }
      const bytes = await getObjectBody(client, bucket, key);
      const found = bytes !== undefined;
      const holds = found && Buffer.compare(bytes, Buffer.from(expectedBody)) === 0;
      // The received body reads best in the form the expected one was given.
      const body = typeof expectedBody === 'string' ? bytes?.toString('utf8') : bytes;
      return { holds, actual: { found, body } };
    }),
  ).catch(cannotRead('toHaveObject', subject));
  const { found, body } = actual;
  return report(this, props, {
    hint: ['toHaveObject', 'bucket', expectedBody === undefined ? 'key' : 'key, expectedBody'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const withBody = expectedBody === undefined ? '' : ` with body ${print.expected(expectedBody)}`;
      return {
        subject,
        should: `have an object at ${print.expected(key)}${withBody}`,
        but: !found
          ? 'it has none'
          : body === undefined
            ? 'it has one'
            : `its body is ${print.received(body)}`,
      };
    },
    diff: { actual: body, expected: expectedBody },
  });
}
