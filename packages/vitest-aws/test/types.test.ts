// Type test (checked by `tsc -p tsconfig.test.json`): each matcher exists on the props it fits, and is async.
import { describe, expect, expectTypeOf, it } from 'vitest';
import '../src/register.js';
import type { ExpectedResponse, Item, ObjectBody } from '../src/index.js';

const region = 'us-east-1';
const table = { region, table: 'orders' };
const bucket = { region, bucket: 'files' };
const queue = { region, queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' };
const stream = { region, stream: 'orders' };
const machine = { region, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders' };
const api = { url: 'https://example.com/orders', method: 'GET' };

describe('matcher types', () => {
  it('type each matcher on its props, with its arguments, returning a Promise to await', () => {
    expectTypeOf(expect(table).toHaveItem).parameters.toEqualTypeOf<[Item, Item?, boolean?]>();
    expectTypeOf(expect(table).toHaveItem).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(table).not.toHaveItem).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect({ ...bucket, timeout: 1 }).toHaveObject).parameters.toEqualTypeOf<
      [string, ObjectBody?]
    >();
    expectTypeOf(expect({ region, function: 'f' }).toHaveLog).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(expect({ region, logGroupName: 'g' }).toHaveLog).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(machine).toBeAtState).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(expect(machine).toHaveState).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(expect(api).toReturnResponse).parameters.toEqualTypeOf<[ExpectedResponse]>();
    expectTypeOf(expect(queue).toHaveMessage<{ id: number }>)
      .parameter(0)
      .toEqualTypeOf<(body: { id: number }) => boolean>();
    expectTypeOf(expect(stream).toHaveRecord).returns.toEqualTypeOf<Promise<void>>();
  });

  it('reject matchers on props that do not fit, wrong arguments, and asymmetric use', () => {
    // Never called: these lines exist for the compiler only.
    const misuses = async () => {
      // @ts-expect-error S3 props have no table
      await expect(bucket).toHaveItem({ id: 'a' });
      // @ts-expect-error a key is an object, not a string
      await expect(table).toHaveItem('a');
      // @ts-expect-error a body is a string or bytes
      await expect(bucket).toHaveObject('a.txt', 42);
      // @ts-expect-error toHaveLog needs a function or a log group name
      await expect({ region }).toHaveLog('error');
      // @ts-expect-error a record predicate sees data of unknown type unless told
      await expect(stream).toHaveRecord((data) => data.id === 1);
      // @ts-expect-error a response needs a status code
      await expect(api).toReturnResponse({ data: 'ok' });
      // @ts-expect-error no asymmetric form: vitest would read `pass` off a Promise
      expect.toHaveItem({ id: 'a' }); // eslint-disable-line @typescript-eslint/no-unsafe-call -- the error is the point
    };
    // A typed predicate needs no cast.
    const usage = async () => {
      await expect(queue).toHaveMessage((body: { id: number }) => body.id === 1);
    };
    expectTypeOf(misuses).toEqualTypeOf(usage);
  });
});
