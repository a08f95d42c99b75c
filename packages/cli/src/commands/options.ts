// Flags as data: each with its type, default and check, declared once; shared groups (stage,
// selection, lock, plan) are spread into the commands that take them. Every value is checked as it
// is parsed, so a command never sees a number that is not one or an empty list.
import type { Argv, InferredOptionTypes, Options } from 'yargs';
import { CliError } from '../errors.js';

/** A yargs option, and the check that turns its raw value into the value a command gets. */
export type Flag = Options & { check?: (value: unknown) => unknown };

const usage = (message: string, hint: string): CliError => new CliError('E_USAGE', message, { hint });

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

/** `a,b c` (also given twice) → trimmed names, without empty ones. */
export const nameList = (values: unknown): string[] =>
  (Array.isArray(values) ? values : [values])
    .flatMap((value) => String(value ?? '').split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/** `--only a,b --only c` → names; given with nothing in it (an empty CI variable) is a mistake, not "all". */
const names =
  (name: string) =>
  (values: unknown): string[] => {
    const list = nameList(values);
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

export const stageFlags = {
  stage: {
    type: 'string',
    requiresArg: true,
    describe: 'Stage (default: $STAGE, then the config default)',
  },
} as const satisfies Record<string, Flag>;

export const onlyFlag = (what: string) =>
  ({ type: 'string', array: true, requiresArg: true, describe: what, check: names('only') }) as const;

export const selectionFlags = {
  only: onlyFlag('Only these services (comma-separated)'),
  exclude: {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: 'Leave these services out (comma-separated)',
    check: names('exclude'),
  },
} as const satisfies Record<string, Flag>;

/** `--json`: the result as one JSON document on stdout (progress stays on stderr). */
export const jsonFlag = (what: string) =>
  ({ json: { type: 'boolean', default: false, describe: what } }) as const satisfies Record<string, Flag>;

export const lockFlags = {
  'lock-timeout': {
    type: 'number',
    default: 900,
    requiresArg: true,
    describe: 'Seconds to wait for another run holding the stage lock',
    check: seconds('lock-timeout'),
  },
} as const satisfies Record<string, Flag>;

/** What `plan` and `deploy` share: the stage, the commits compared and the services considered. */
export const planFlags = {
  ...stageFlags,
  base: {
    type: 'string',
    requiresArg: true,
    describe: 'Compare every service with this ref instead of its recorded deploy',
  },
  head: {
    type: 'string',
    requiresArg: true,
    describe: 'Commit to plan (default: $CODEBUILD_RESOLVED_SOURCE_VERSION, then HEAD)',
  },
  all: { type: 'boolean', describe: 'Deploy every service (also FORCE_DEPLOY_ALL=true)' },
  ...selectionFlags,
  only: onlyFlag('Consider only these services (comma-separated)'),
} as const satisfies Record<string, Flag>;

/** `--report`: on every command whose run is worth looking at afterwards (plan, deploy, e2e, promote). */
export const reportFlags = {
  report: {
    type: 'string',
    requiresArg: true,
    describe: 'Also write the run as one self-contained HTML page to this file',
    check: (value: unknown): string => {
      if (typeof value !== 'string' || value.trim() === '') {
        throw usage(
          '--report was given no file',
          'e.g. --report reports/shipgraph.html (is a CI variable empty?)',
        );
      }
      return value;
    },
  },
} as const satisfies Record<string, Flag>;

/** Deploys at once unless --concurrency says otherwise (and e2e runs, unless the config does). */
export const DEFAULT_CONCURRENCY = 4;

export const deployFlags = {
  concurrency: {
    type: 'number',
    default: DEFAULT_CONCURRENCY,
    requiresArg: true,
    describe: 'Deploys running at once',
    check: wholeNumber('concurrency', 1),
  },
  retries: {
    type: 'number',
    default: 2,
    requiresArg: true,
    describe: 'Retries of a deploy that failed on throttling or a busy stack',
    check: wholeNumber('retries', 0),
  },
  'retry-delay': {
    type: 'number',
    default: 5,
    requiresArg: true,
    describe: 'Seconds before the first retry (doubling after)',
    check: seconds('retry-delay'),
  },
} as const satisfies Record<string, Flag>;

/** How a run's e2e tests run beside its deploys (deploy, promote; `e2e` takes the concurrency). */
export const e2eConcurrencyFlag = {
  'e2e-concurrency': {
    type: 'number',
    requiresArg: true,
    describe: 'E2e runs at once, beside any deploys (default: the config, then --concurrency)',
    check: wholeNumber('e2e-concurrency', 1),
  },
} as const satisfies Record<string, Flag>;

export const e2eFlags = {
  ...e2eConcurrencyFlag,
  'e2e-gate': {
    type: 'boolean',
    describe: "Dependents deploy only once a service's e2e tests passed (default: the config's e2e.gate)",
  },
  'e2e-all': {
    type: 'boolean',
    describe: 'Run every e2e run, even where nothing it tests changed since it passed',
  },
} as const satisfies Record<string, Flag>;

/** The flags declared on `argv`, as typed (kebab-case): without yargs' camelCase copies and one-letter aliases. */
export function declaredFlags(argv: Argv): string[] {
  const options = (argv as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  return Object.keys(options.key).filter((key) => key.length > 1 && !/[A-Z]/.test(key));
}

/** How much a run with steps (deploy, e2e, destroy) says on stderr while it goes. */
export const outputFlags = {
  quiet: {
    type: 'boolean',
    describe: 'Print only failures, warnings and the result',
    conflicts: 'verbose',
  },
  verbose: {
    type: 'boolean',
    describe: 'Print every line of every tool, prefixed [service/region] (also on a terminal)',
  },
} as const satisfies Record<string, Flag>;

/**
 * Declares the flags on a command and checks every one given, putting the checked value in its
 * place under both names yargs gives it (kebab-case and camelCase): a failure is one line with a fix.
 */
export function withFlags<T, F extends Record<string, Flag>>(
  argv: Argv<T>,
  flags: F,
): Argv<T & InferredOptionTypes<F>> {
  const check = (args: Record<string, unknown>): void => {
    for (const [name, flag] of Object.entries(flags)) {
      if (flag.check === undefined || args[name] === undefined) continue;
      const value = flag.check(args[name]);
      args[name] = value;
      args[name.replace(/-([a-z])/g, (_whole, letter: string) => letter.toUpperCase())] = value;
    }
  };
  return argv.options(flags).middleware(check) as Argv<T & InferredOptionTypes<F>>;
}
