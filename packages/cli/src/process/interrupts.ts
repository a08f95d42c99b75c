// SIGINT/SIGTERM during a run: start nothing new, pass the signal on to running processes, let them finish.
export interface Interrupts {
  /** Aborted at the first signal (its reason is the signal's name), or when the run must stop. */
  signal: AbortSignal;
  /** Kill functions of the running child processes; they get the signal as it came. */
  children: Set<(signal: NodeJS.Signals) => void>;
  /** The first signal received, if any. */
  received: () => NodeJS.Signals | null;
  /** Stops the run without a signal (start nothing new; running processes finish). */
  stop: (reason: string) => void;
  /** Stops listening. */
  dispose: () => void;
}

export function listenForInterrupts(log: (line: string) => void): Interrupts {
  const controller = new AbortController();
  const children = new Set<(signal: NodeJS.Signals) => void>();
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    log(
      `received ${signal}: starting nothing new, passing it to ${children.size} running process(es) and waiting for them`,
    );
    controller.abort(signal);
    for (const kill of children) kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    children,
    received: () => received,
    stop: (reason) => {
      controller.abort(reason);
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The exit code of a run a signal interrupted: 128 + the signal's number, as shells report it. */
export const signalExitCode = (signal: NodeJS.Signals): number =>
  signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;

/** A step a signal stopped, before it started or while it ran: not a failure of its own. */
export class Interrupted extends Error {}

/** A deploy (or remove, or e2e run) that did not start because the run was interrupted first. */
export class NotStarted extends Interrupted {
  constructor(signal: AbortSignal) {
    super(`not started: interrupted by ${typeof signal.reason === 'string' ? signal.reason : 'a signal'}`);
  }
}

/** Throws NotStarted if the run was interrupted: call it right before starting anything. */
export function startUnlessInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new NotStarted(signal);
}
