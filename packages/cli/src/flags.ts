// Flags that several commands share, declared once: their types, defaults and checks. Every value is
// checked here, at the edge, so a command never sees a number that is not one or an empty list.
import { ShipgraphError } from '@shipgraph/core';

const usage = (message: string, hint: string): ShipgraphError =>
  new ShipgraphError('E_USAGE', message, { hint });

/** A whole number of at least `min`: `--concurrency`, `--retries`. */
const wholeNumber =
  (name: string, min: number) =>
  (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw usage(
        `--${name} must be a whole number of at least ${min}, not ${describe(value)}`,
        `e.g. --${name} ${Math.max(min, 2)}`,
      );
    }
    return value;
  };

/** Seconds, zero or more: `--lock-timeout`, `--retry-delay`. */
const seconds =
  (name: string) =>
  (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw usage(
        `--${name} must be a number of seconds (0 or more), not ${describe(value)}`,
        `e.g. --${name} 30`,
      );
    }
    return value;
  };

/** `--only a,b --only c` → names; given with nothing in it (an empty CI variable) is a mistake, not "all". */
const names =
  (name: string) =>
  (values: unknown): string[] => {
    const list = (Array.isArray(values) ? values : [values])
      .flatMap((value) => String(value ?? '').split(','))
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    if (list.length === 0) {
      throw usage(
        `--${name} was given no service names`,
        `name services, e.g. --${name} orders,billing (is a CI variable empty?)`,
      );
    }
    return list;
  };

// yargs gives NaN for a number flag whose value is not a number.
function describe(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'a word';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export const stageFlag = {
  type: 'string',
  requiresArg: true,
  describe: 'Stage (default: $STAGE, then the config default)',
} as const;

export const onlyFlag = (describe: string) =>
  ({ type: 'string', array: true, requiresArg: true, describe }) as const;

export const excludeFlag = {
  type: 'string',
  array: true,
  requiresArg: true,
  describe: 'Leave these services out (comma-separated)',
} as const;

export const lockTimeoutFlag = {
  type: 'number',
  default: 900,
  requiresArg: true,
  describe: 'Seconds to wait for another run holding the stage lock',
} as const;

export const concurrencyFlag = {
  type: 'number',
  default: 4,
  requiresArg: true,
  describe: 'Deploys running at once',
} as const;

export const retriesFlag = {
  type: 'number',
  default: 2,
  requiresArg: true,
  describe: 'Retries of a deploy that failed on throttling or a busy stack',
} as const;

export const retryDelayFlag = {
  type: 'number',
  default: 5,
  requiresArg: true,
  describe: 'Seconds before the first retry (doubling after)',
} as const;

/** The check of each flag that has one, by the names yargs gives it (kebab-case and camelCase). */
const CHECKS: Record<string, (value: unknown) => unknown> = {
  concurrency: wholeNumber('concurrency', 1),
  retries: wholeNumber('retries', 0),
  'retry-delay': seconds('retry-delay'),
  'lock-timeout': seconds('lock-timeout'),
  only: names('only'),
  exclude: names('exclude'),
};

/**
 * Checks every flag given to a command and puts the checked value in its place (yargs middleware):
 * a failure is one line with a fix (E_USAGE), never a number that is not one.
 */
export function checkFlags(argv: Record<string, unknown>): void {
  for (const [name, check] of Object.entries(CHECKS)) {
    if (argv[name] === undefined) continue;
    const value = check(argv[name]);
    argv[name] = value;
    argv[name.replace(/-([a-z])/g, (_whole, letter: string) => letter.toUpperCase())] = value;
  }
}
