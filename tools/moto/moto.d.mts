// Types of moto.mjs, for the TypeScript tests that start or reset the emulator.

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** Stops moto and waits for it to exit. */
  stop(): Promise<void>;
}

export interface MotoOptions {
  /** The directory holding `.venv`; defaults to the repository root. */
  root?: string;
}

export function ensureMoto(options?: MotoOptions): void;
export function startMoto(options?: MotoOptions & { timeoutMs?: number }): Promise<MotoServer>;
export function resetMoto(endpoint: string): Promise<void>;
export function useMoto(env: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv;
