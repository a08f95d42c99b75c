// Builds the result vitest wants from a matcher: pass, a lazy one-sentence message, actual/expected for a diff.
import type { MatcherState } from 'vitest';
import { pollDefaults, type PollOptions } from './poll.js';

export interface MatcherResult {
  /** Whether the positive expectation holds; vitest inverts it for `.not`. */
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

export interface Report {
  /** How the hint line names the matcher and its arguments: `expect(received).name(args)`. */
  hint: [name: string, received: string, args: string];
  pass: boolean;
  /** Called only for a message: "Expected <subject> [not] to <should> within|for N ms, but <but>". */
  explain: () => { subject: string; should: string; but: string };
  /** The two values vitest diffs when the positive expectation fails. */
  diff?: { actual: unknown; expected: unknown };
}

export function report(
  state: MatcherState,
  { timeout = pollDefaults.timeout }: PollOptions,
  r: Report,
): MatcherResult {
  const { isNot, promise, utils } = state;
  const [name, received, args] = r.hint;
  const message = () => {
    const { subject, should, but } = r.explain();
    // A single look (timeout 0) has no span of time to speak of.
    const span = timeout === 0 ? '' : ` ${isNot ? 'for' : 'within'} ${timeout} ms`;
    return (
      `${utils.matcherHint(name, received, args, { isNot, promise })}\n\n` +
      `Expected ${subject} ${isNot ? 'not ' : ''}to ${should}${span}, but ${but}`
    );
  };
  // A diff only helps when values differ, that is when the positive expectation failed.
  return { pass: r.pass, message, ...(r.pass || isNot ? {} : r.diff) };
}

/** Throws a one-line TypeError when props lack a required string, as JavaScript callers get no type check. */
export function requireProps(matcher: string, props: unknown, names: readonly string[]): void {
  const missing = names.filter(
    (name) => typeof (props as Record<string, unknown> | null)?.[name] !== 'string',
  );
  if (missing.length > 0) {
    throw new TypeError(`${matcher}: the received props need ${missing.map((n) => `"${n}"`).join(' and ')}`);
  }
}

/**
 * Turns an AWS SDK error (it carries `$metadata`) into one line naming what could not be read, the original as
 * its cause; anything else, such as an error of the caller's predicate, passes through as it is.
 */
export function cannotRead(matcher: string, what: string) {
  return (error: unknown): never => {
    if (error instanceof Error && '$metadata' in error) {
      throw new Error(`${matcher}: cannot read ${what}: ${error.message}`, { cause: error });
    }
    throw error;
  };
}

/** One-line, coloured renderings of values for messages (pretty-format's `min` style). */
export function printers({ utils }: MatcherState) {
  const oneLine = (value: unknown) => utils.stringify(value, 10, { min: true });
  return {
    expected: (value: unknown) => utils.EXPECTED_COLOR(oneLine(value)),
    received: (value: unknown) => utils.RECEIVED_COLOR(oneLine(value)),
  };
}
