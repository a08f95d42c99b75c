// The polling loop and the props checks every matcher shares; no AWS needed.
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import type { ApiProps, DynamoDbProps, LogsProps } from '../src/index.js';
import { pollUntilHolds } from '../src/poll.js';
import { timed } from './helpers.js';

describe('pollUntilHolds', () => {
  it('observes once when the timeout is 0', async () => {
    let polls = 0;
    const seen = await pollUntilHolds({ timeout: 0 }, () =>
      Promise.resolve({ holds: false, actual: ++polls }),
    );
    expect(seen).toEqual({ holds: false, actual: 1 });
  });

  it('stops at the first observation that holds', async () => {
    let polls = 0;
    const seen = await pollUntilHolds({ timeout: 5000, pollEvery: 10 }, () => {
      polls++;
      return Promise.resolve({ holds: polls === 3, actual: polls });
    });
    expect(seen).toEqual({ holds: true, actual: 3 });
  });

  it('makes its last observation at the deadline, even when pollEvery is longer', async () => {
    let polls = 0;
    const took = await timed(
      pollUntilHolds({ timeout: 300, pollEvery: 10_000 }, () =>
        Promise.resolve({ holds: false, actual: ++polls }),
      ),
    );
    expect(polls).toBe(2);
    expect(took).toBeGreaterThanOrEqual(295); // timers may fire a millisecond early by performance.now()
    expect(took).toBeLessThan(1000);
  });
});

describe('props checks', () => {
  // For JavaScript callers, whom the types do not stop; the casts stand for them.
  it('name what the received props lack, in one line, before calling anything', async () => {
    await expect(expect({ region: 'us-east-1' } as DynamoDbProps).toHaveItem({ id: 'a' })).rejects.toThrow(
      new TypeError('toHaveItem: the received props need "table"'),
    );
    await expect(expect({ region: 'us-east-1' } as LogsProps).toHaveLog('x')).rejects.toThrow(
      new TypeError('toHaveLog: the received props need "region" and "function" or "logGroupName"'),
    );
    await expect(expect({} as ApiProps).toReturnResponse({ statusCode: 200 })).rejects.toThrow(
      new TypeError('toReturnResponse: the received props need "url" and "method"'),
    );
  });
});
