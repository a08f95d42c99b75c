// SIGINT/SIGTERM during a run: start nothing new, pass the signal on to running processes, let them finish.
export interface Interrupts {
  /** Aborted at the first signal. */
  signal: AbortSignal;
  /** Kill functions of the running child processes; they get the signal as it came. */
  children: Set<(signal: NodeJS.Signals) => void>;
  /** The first signal received, if any. */
  received: () => NodeJS.Signals | null;
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
    controller.abort();
    for (const kill of children) kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    children,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
