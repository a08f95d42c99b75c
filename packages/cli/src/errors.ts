// Every problem the command line reports, by code, and the exit code each one ends the run with.
import { ShipgraphError, type CoreErrorCode } from '@shipgraph/core';

/** The input was wrong: a flag, a file, the repository, the config or the environment. */
const BAD_INPUT = 2;
/** The input was right, but the run could not go ahead (locked, AWS, the file system). */
const COULD_NOT_RUN = 1;

export const EXIT_CODES = {
  // Raised by @shipgraph/core.
  E_CYCLE: BAD_INPUT,
  E_UNKNOWN_DEPENDENCY: BAD_INPUT,
  E_UNKNOWN_SERVICE: BAD_INPUT,
  // The command line and the environment.
  E_USAGE: BAD_INPUT,
  E_ENV: BAD_INPUT,
  E_STAGE_NAME: BAD_INPUT,
  E_UNKNOWN_STAGE: BAD_INPUT,
  E_CONFIRM: BAD_INPUT,
  // The repository, its config and its workspace.
  E_NOT_A_REPO: BAD_INPUT,
  E_UNKNOWN_REF: BAD_INPUT,
  E_GIT: BAD_INPUT,
  E_CONFIG: BAD_INPUT,
  E_WORKSPACE: BAD_INPUT,
  E_DUPLICATE_PACKAGE: BAD_INPUT,
  E_NX_MISSING: BAD_INPUT,
  E_NX: BAD_INPUT,
  E_PREVIEW_BASE: BAD_INPUT,
  // What a deploy is asked to run, and where.
  E_PLAN_UNREADABLE: BAD_INPUT,
  E_PLAN_INVALID: BAD_INPUT,
  E_PLAN_MISMATCH: BAD_INPUT,
  E_CHECKOUT_MISMATCH: BAD_INPUT,
  E_DIRTY_CHECKOUT: BAD_INPUT,
  E_PROTECTED: BAD_INPUT,
  E_DEPLOYER: BAD_INPUT,
  E_ROLLOUT_BYPASSED: BAD_INPUT,
  E_STACK_MISSING: BAD_INPUT,
  // The recorded state.
  E_STATE: COULD_NOT_RUN,
  E_STATE_TABLE: COULD_NOT_RUN,
  E_STATE_INVALID: BAD_INPUT,
  E_STATE_VERSION: BAD_INPUT,
  // Runs that could not go ahead.
  E_AWS: COULD_NOT_RUN,
  E_ASSUME_ROLE: COULD_NOT_RUN,
  E_ARTIFACT: COULD_NOT_RUN,
  E_ARTIFACT_MISMATCH: COULD_NOT_RUN,
  E_REPORT: COULD_NOT_RUN,
  E_LOCKED: COULD_NOT_RUN,
  E_LOCK_LOST: COULD_NOT_RUN,
  E_ROLLBACK: COULD_NOT_RUN,
  // Stopped by a signal while waiting: 128 + the signal's number, as shells report it.
  E_INTERRUPTED: 130,
  E_TERMINATED: 143,
} as const satisfies Record<CoreErrorCode, number> & Record<string, number>;

export type ErrorCode = keyof typeof EXIT_CODES;
export type CliErrorCode = Exclude<ErrorCode, CoreErrorCode>;

/** An error the command line raises on purpose. */
export class CliError extends ShipgraphError<CliErrorCode> {}

/** Exit codes besides those of the errors: 0 ok, 1 a run that failed, 70 a bug in shipgraph. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BUG = 70;

export const exitCodeOf = (code: string): number =>
  code in EXIT_CODES ? EXIT_CODES[code as ErrorCode] : BAD_INPUT;
