// Polls an observation until the positive expectation holds or the timeout passes: the loop behind every matcher.
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** How long to keep polling, in ms (default 2500). */
  timeout?: number;
  /** The pause between two polls, in ms (default 500). */
  pollEvery?: number;
}

export const pollDefaults = { timeout: 2500, pollEvery: 500 } as const satisfies PollOptions;

export interface Observation<A> {
  /** Whether the positive expectation holds at this poll. */
  holds: boolean;
  actual: A;
}

/**
 * Observes at least once, then again every `pollEvery` ms until the expectation holds or `timeout` ms have
 * passed. One loop serves both directions: `expect(…)` passes at the first poll where it holds, and
 * `.not` fails there, so `.not` passes only if it never held for the whole timeout (unlike
 * aws-testing-library, whose `.not` passes at the first poll where it does not hold, issue #577).
 */
export async function pollUntilHolds<A>(
  { timeout = pollDefaults.timeout, pollEvery = pollDefaults.pollEvery }: PollOptions,
  observe: () => Promise<Observation<A>>,
): Promise<Observation<A>> {
  const deadline = Date.now() + timeout;
  for (let last = false; ;) {
    const observation = await observe();
    const left = deadline - Date.now();
    if (observation.holds || last || left <= 0) return observation;
    // The last poll lands on the deadline, so whatever appears until then counts. It is the last one even
    // if the timer fires a millisecond early by the clock.
    last = left <= pollEvery;
    await sleep(Math.min(pollEvery, left));
  }
}
