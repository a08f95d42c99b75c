// Shared by the matcher tests: unique resource names, fast poll options, failure messages without colours.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';

export const region = 'us-east-1';
/** Small enough to keep the suite quick, with a few polls in each timeout. */
export const fast = { timeout: 600, pollEvery: 100 } as const;
/**
 * What `.not` must wait, at least: the whole timeout, less the millisecond or two a Node timer may fire
 * early by the clock a test measures with. Returning at the first negative poll (aws-testing-library#577)
 * takes a few ms, so the check still tells the two apart.
 */
export const wholeTimeout = fast.timeout - 5;
/**
 * For checks of when a matcher settles: a timeout far longer than what the check waits for, so that a slow
 * moto (shared with every other test file) cannot turn a pass into a timeout.
 */
export const patient = { timeout: 5000, pollEvery: 100 } as const;

/** moto is shared by test files running in parallel: every resource gets a name of its own. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The error an assertion fails with (with the actual and expected values vitest diffs); throws if it passes. */
export async function rejectionOf(
  assertion: Promise<unknown>,
): Promise<Error & { actual?: unknown; expected?: unknown }> {
  try {
    await assertion;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the assertion passed; it was expected to fail');
}

/** The message an assertion fails with, colours removed; throws if it passes. */
export async function failureOf(assertion: Promise<unknown>): Promise<string> {
  return stripVTControlCharacters((await rejectionOf(assertion)).message);
}

/** Runs `action` after `ms` in the background; await the result to see its errors. */
export async function after(ms: number, action: () => unknown): Promise<void> {
  await sleep(ms);
  await action();
}

/** How long `work` takes, in ms. */
export async function timed(work: Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work;
  return performance.now() - start;
}
