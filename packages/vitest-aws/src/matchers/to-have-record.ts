// toHaveRecord: a Kinesis stream has a record whose data (parsed JSON, else the string) satisfies a predicate.
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { explainProtocolError, readStream, type KinesisClientProps } from '../services/kinesis.js';

/**
 * Against an HTTP/1.1-only endpoint (moto), pass `clientConfig: { requestHandler: new NodeHttpHandler() }`:
 * the Kinesis client defaults to HTTP/2.
 */
export interface KinesisProps extends KinesisClientProps, PollOptions {
  stream: string;
  /**
   * The records to look at: those added since this time (default: five minutes before the matcher
   * starts, as aws-testing-library reads), or `'TRIM_HORIZON'` for every record the stream keeps. (A
   * string, so that an object literal's `since: 'TRIM_HORIZON'` fits; any other string is refused.)
   */
  since?: Date | string;
}

/** How far back toHaveRecord reads by default, as aws-testing-library does. */
export const RECORD_WINDOW_MS = 5 * 60_000;

const shown = 5;

function startOf(since: Date | string | undefined): Date | 'TRIM_HORIZON' {
  if (since === undefined) return new Date(Date.now() - RECORD_WINDOW_MS);
  if (since === 'TRIM_HORIZON' || since instanceof Date) return since;
  throw new TypeError(`toHaveRecord: since must be a Date or 'TRIM_HORIZON', not ${JSON.stringify(since)}`);
}

export async function toHaveRecord(
  this: MatcherState,
  props: KinesisProps,
  predicate: (data: unknown) => boolean,
): Promise<MatcherResult> {
  requireProps('toHaveRecord', props, ['region', 'stream']);
  const subject = `stream "${props.stream}" (${props.region})`;
  // Each poll reads only the records added since the last one, so the counts and samples add up.
  const seen = { count: 0, first: [] as unknown[] };
  const { holds, actual: match } = await withClient(KinesisClient, props, async (client) => {
    const read = await readStream(client, props.stream, startOf(props.since));
    return pollUntilHolds(props, async () => {
      const records = await read();
      seen.count += records.length;
      seen.first.push(...records.slice(0, shown - seen.first.length));
      const found = records.find((data) => predicate(data));
      return found === undefined
        ? { holds: false, actual: undefined }
        : { holds: true, actual: { data: found } };
    });
  })
    .catch(explainProtocolError)
    .catch(cannotRead('toHaveRecord', subject));
  return report(this, props, {
    hint: ['toHaveRecord', 'stream', 'predicate'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const more = seen.count > shown ? ' …' : '';
      const none = `none of its ${seen.count} records does: ${print.received(seen.first)}${more}`;
      return {
        subject,
        should: 'have a record matching the predicate',
        but: match ? `it has ${print.received(match.data)}` : seen.count === 0 ? 'it has no record' : none,
      };
    },
  });
}
