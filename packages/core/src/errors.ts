// The one error type shipgraph raises on purpose: a stable code, a one-line message, a hint and a cause.

/** The problems the core reports; each package that raises errors lists its own codes. */
export type CoreErrorCode = 'E_CYCLE' | 'E_UNKNOWN_DEPENDENCY' | 'E_UNKNOWN_SERVICE';

export class ShipgraphError<Code extends string = CoreErrorCode> extends Error {
  override readonly name = 'ShipgraphError';
  /** Names one problem; the command line decides the exit code from it. */
  readonly code: Code;
  /** How to fix it, in a few words. */
  readonly hint: string | undefined;

  constructor(code: Code, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

export const isShipgraphError = (error: unknown): error is ShipgraphError<string> =>
  error instanceof ShipgraphError;
