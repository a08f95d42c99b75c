// The one error type shipgraph raises on purpose: a stable code, a one-line message and a hint.

export type ErrorCode =
  | 'E_USAGE'
  | 'E_NOT_A_REPO'
  | 'E_UNKNOWN_REF'
  | 'E_GIT'
  | 'E_CYCLE'
  | 'E_CONFIG'
  | 'E_WORKSPACE'
  | 'E_DUPLICATE_PACKAGE'
  | 'E_UNKNOWN_SERVICE'
  | 'E_UNKNOWN_STAGE'
  | 'E_STATE'
  | 'E_AWS'
  | 'E_LOCKED'
  | 'E_LOCK_LOST'
  | 'E_INTERRUPTED'
  | 'E_PLAN_MISMATCH'
  | 'E_PLAN_INVALID'
  | 'E_CHECKOUT_MISMATCH'
  | 'E_DIRTY_CHECKOUT'
  | 'E_DEPLOYER'
  | 'E_PROTECTED'
  | 'E_PREVIEW_BASE'
  | 'E_NX_MISSING'
  | 'E_NX';

export class ShipgraphError extends Error {
  override readonly name = 'ShipgraphError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** 2 for bad input (the default); 1 for a run that could not go ahead (e.g. the stage is locked). */
  readonly exitCode: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

export const isShipgraphError = (error: unknown): error is ShipgraphError => error instanceof ShipgraphError;
