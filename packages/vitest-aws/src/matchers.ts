// The matchers object for expect.extend, and their types on vitest's Assertion.
import { toBeAtState, toHaveState, type StepFunctionsProps } from './matchers/step-functions.js';
import { toHaveItem, type DynamoDbProps } from './matchers/to-have-item.js';
import { toHaveLog, type LogsProps } from './matchers/to-have-log.js';
import { toHaveMessage, type SqsProps } from './matchers/to-have-message.js';
import { toHaveObject, type ObjectBody, type S3Props } from './matchers/to-have-object.js';
import { toHaveRecord, type KinesisProps } from './matchers/to-have-record.js';
import { toReturnResponse, type ApiProps, type ExpectedResponse } from './matchers/to-return-response.js';
import type { Item } from './services/dynamodb.js';

export const matchers = {
  toHaveItem,
  toHaveObject,
  toHaveLog,
  toBeAtState,
  toHaveState,
  toHaveMessage,
  toReturnResponse,
  toHaveRecord,
};

/**
 * A test of a message body or record: it receives parsed JSON (else the string), typed as the caller says,
 * as with JSON.parse.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- lets callers type the body
type PredicateMatcher = <Body = unknown>(predicate: (body: Body) => boolean) => Promise<void>;

/**
 * Each matcher exists only on `expect(props)` whose props fit it, and returns a Promise: await it.
 * Only `Assertion` is augmented, not `Matchers` or `AsymmetricMatchersContaining`: vitest runs asymmetric
 * matchers synchronously and reads `pass` off the returned Promise, so `expect.toHaveItem(…)` could never match.
 */
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must repeat vitest's own declaration
  interface Assertion<T = any> {
    /** Polls DynamoDB until the table has an item with `key` (equal to `expected`; only its attributes unless `strict`). */
    toHaveItem: T extends DynamoDbProps
      ? (key: Item, expected?: Item, strict?: boolean) => Promise<void>
      : never;
    /** Polls S3 until the bucket has an object at `key` (with `expectedBody`: text if a string, else bytes). */
    toHaveObject: T extends S3Props ? (key: string, expectedBody?: ObjectBody) => Promise<void> : never;
    /** Polls CloudWatch Logs until the log group has an event since `startTime` matching the filter `pattern`. */
    toHaveLog: T extends LogsProps ? (pattern: string) => Promise<void> : never;
    /** Polls Step Functions until the newest execution's latest entered state is `state`. */
    toBeAtState: T extends StepFunctionsProps ? (state: string) => Promise<void> : never;
    /** Polls Step Functions until the newest execution has entered `state` at some point. */
    toHaveState: T extends StepFunctionsProps ? (state: string) => Promise<void> : never;
    /** Polls SQS until the queue has a message whose body satisfies `predicate`. */
    toHaveMessage: T extends SqsProps ? PredicateMatcher : never;
    /** Polls the HTTP endpoint until it answers with `statusCode` (and `data`, when given). */
    toReturnResponse: T extends ApiProps ? (expected: ExpectedResponse) => Promise<void> : never;
    /** Polls Kinesis until a record of any shard satisfies `predicate`. */
    toHaveRecord: T extends KinesisProps ? PredicateMatcher : never;
  }
}
