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
  | 'E_STATE';

export class ShipgraphError extends Error {
  override readonly name = 'ShipgraphError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

export const isShipgraphError = (error: unknown): error is ShipgraphError => error instanceof ShipgraphError;
