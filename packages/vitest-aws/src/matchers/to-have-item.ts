// toHaveItem: a DynamoDB table has an item with this key (and, optionally, these attributes).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { getItem, type DynamoDbClientProps, type Item } from '../services/dynamodb.js';

export interface DynamoDbProps extends DynamoDbClientProps, PollOptions {
  table: string;
}

export async function toHaveItem(
  this: MatcherState,
  props: DynamoDbProps,
  key: Item,
  expected?: Item,
  strict = true,
): Promise<MatcherResult> {
  requireProps('toHaveItem', props, ['region', 'table']);
  const subject = `table "${props.table}" (${props.region})`;
  // Non-strict compares only the expected attributes, so the item is cut down to those first.
  const compared = (item: Item) =>
    strict || !expected ? item : Object.fromEntries(Object.keys(expected).map((name) => [name, item[name]]));
  const { holds, actual } = await withClient(DynamoDBClient, props, (client) =>
    pollUntilHolds(props, async () => {
      const item = await getItem(client, props.table, key);
      const actual = item && compared(item);
      return {
        holds: actual !== undefined && (!expected || this.equals(actual, expected, this.customTesters)),
        actual,
      };
    }),
  ).catch(cannotRead('toHaveItem', subject));
  return report(this, props, {
    hint: ['toHaveItem', 'table', expected ? `key, expected${strict ? '' : ', false'}` : 'key'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const attributes = expected ? ` ${strict ? 'equal to' : 'matching'} ${print.expected(expected)}` : '';
      return {
        subject,
        should: `have an item with key ${print.expected(key)}${attributes}`,
        but: actual === undefined ? 'it has none' : `it has ${print.received(actual)}`,
      };
    },
    diff: { actual, expected },
  });
}
