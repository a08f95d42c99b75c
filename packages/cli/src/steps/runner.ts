// One step's life, whatever it runs (a deploy, an e2e run): its log, its start and end as progress
// events, retries with backoff, the last lines of a failure, and a signal that stops what has not started.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShipgraphError } from '@shipgraph/core';
import type { ProgressEvent, StepEnd, StepRef } from '../progress/contract.js';
import { Interrupted, NotStarted, startUnlessInterrupted } from '../process/interrupts.js';
import { openStepLog } from './step-log.js';

/** What every step of a run shares: where logs go, the reporter, the clock, the signal. */
export interface StepRuntime {
  /** This run among others (a few random letters): what names its requests, such as stack operations. */
  runId: string;
  root: string;
  stage: string;
  report: (event: ProgressEvent) => void;
  now: () => Date;
  /** Aborted by a signal: nothing starts after it, not even a retry waiting out its delay. */
  signal: AbortSignal;
  /** Passes a signal on to every running process of the run. */
  children: Set<(signal: NodeJS.Signals) => void>;
}

/** What a step's work gets: where its lines go, and how its processes are tracked for signals. */
export interface StepTools {
  log: (line: string) => void;
  track: (kill: (signal: NodeJS.Signals) => void) => () => void;
  signal: AbortSignal;
  /** Repository-relative path of the step's log file. */
  logPath: string;
  /** Which try this is: 1, then 2 on the first retry. */
  attempt: number;
  /** An id of this try of this step in this run, for requests that must not be carried out twice. */
  requestToken: string;
}

/** What to run: the runner says how. */
export interface Step<T> {
  ref: StepRef;
  /** The log file's name under `.shipgraph/logs/<stage>/` (without `.log`). */
  logName: string;
  work: (tools: StepTools) => Promise<T>;
  /** How a run that returned ended, as reported. */
  ended: (result: T) => StepEnd;
  /** Tries after the first when a failure may pass (throttling); with the delay before the first. */
  retries?: { count: number; delayMs: number; transient: (error: unknown) => boolean };
  /**
   * Set when a failure after a signal is not the step's own (an e2e run killed mid-way proves nothing):
   * it is reported blocked, with this reason. Unset, it is a failure (a deploy stopped half-way is one).
   */
  whenSignalled?: string;
}

/** A step that ran to an end, with its result. */
export interface StepDone<T> {
  result: T;
  attempts: number;
  log: string;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number;
}

/** A step that failed: why (one line), after how many attempts, and where its log is. */
export class StepFailed extends Error {
  constructor(
    readonly reason: string,
    readonly attempts: number,
    readonly log: string,
    /** Epoch milliseconds. */
    readonly startedAt: number,
    readonly endedAt: number,
    options: { cause: unknown },
  ) {
    super(reason, options);
  }
}

/** A step stopped by a signal before or while it ran, and where its log is if it opened one. */
export class StepInterrupted extends Interrupted {
  constructor(
    reason: string,
    readonly log: string | null,
  ) {
    super(reason);
  }
}

export async function runStep<T>(runtime: StepRuntime, step: Step<T>): Promise<StepDone<T>> {
  const { report, signal } = runtime;
  // Read afresh each time: a signal may come while the step runs.
  const stopped = (): boolean => signal.aborted;
  const clock = (): number => runtime.now().getTime();
  const began = clock();
  if (stopped()) {
    const why = new NotStarted(signal).message;
    report({ type: 'blocked', step: step.ref, why });
    throw new StepInterrupted(why, null);
  }
  report({ type: 'started', step: step.ref });
  const stepLog = await openStepLog(runtime.root, runtime.stage, step.logName, (line) => {
    report({ type: 'output', step: step.ref, line });
  });
  const tools: StepTools = {
    log: stepLog.line,
    track: (kill) => {
      runtime.children.add(kill);
      return () => runtime.children.delete(kill);
    },
    signal,
    logPath: stepLog.path,
    attempt: 1,
    requestToken: '',
  };
  let attempts = 0;
  try {
    for (;;) {
      attempts++;
      try {
        startUnlessInterrupted(signal);
        const result = await step.work({
          ...tools,
          attempt: attempts,
          requestToken: requestToken(runtime, step.ref, attempts),
        });
        const endedAt = clock();
        report({ type: 'finished', step: step.ref, status: step.ended(result), durationMs: endedAt - began });
        return { result, attempts, log: stepLog.path, startedAt: began, endedAt };
      } catch (error) {
        const retry = step.retries;
        const again = retry !== undefined && attempts <= retry.count && retry.transient(error);
        if (!again || stopped()) throw error;
        const delay = retry.delayMs * 2 ** (attempts - 1);
        const reason = (error as Error).message;
        stepLog.line(
          `transient failure (${reason}); retry ${attempts} of ${retry.count} in ${delay / 1000}s`,
        );
        report({
          type: 'retrying',
          step: step.ref,
          attempt: attempts,
          of: retry.count,
          delayMs: delay,
          reason,
        });
        // A signal ends the wait, and the retry does not start.
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        if (stopped()) throw error;
      }
    }
  } catch (error) {
    const interrupted =
      error instanceof NotStarted ? error.message : stopped() ? (step.whenSignalled ?? null) : null;
    if (interrupted !== null) {
      stepLog.line(interrupted);
      report({ type: 'blocked', step: step.ref, why: interrupted });
      throw new StepInterrupted(interrupted, stepLog.path);
    }
    // Taken before the line below: the tool's own lines say why.
    const excerpt = stepLog.excerpt();
    const reason = withToolLine(describeError(error), stepLog.errorLine());
    stepLog.line(`failed: ${reason}`);
    const endedAt = clock();
    report({
      type: 'finished',
      step: step.ref,
      status: 'failed',
      durationMs: endedAt - began,
      reason,
      excerpt,
      log: stepLog.path,
    });
    throw new StepFailed(reason, attempts, stepLog.path, began, endedAt, { cause: error });
  } finally {
    await stepLog.close();
  }
}

/**
 * `shipgraph-<run>-<step>-<attempt>`: letters, digits and dashes, at most 128, as CloudFormation's
 * ClientRequestToken takes them. Everything before the attempt names the step of this run.
 */
function requestToken(runtime: StepRuntime, ref: StepRef, attempt: number): string {
  const { service, region, kind } = ref;
  const name = createHash('sha256')
    .update(`${service}\0${region ?? ''}\0${kind}`)
    .digest('hex')
    .slice(0, 16);
  return `shipgraph-${runtime.runId}-${name}-${attempt}`;
}

/**
 * A process that failed says only that it did (`serverless failed (exit code 1)`): the line where the
 * tool said why comes first, when it said so.
 */
const withToolLine = (reason: string, toolLine: string | null): string =>
  toolLine !== null && /failed \((exit code \d+|killed by \w+)\)$/.test(reason) && !reason.includes(toolLine)
    ? `${toolLine} (${reason})`
    : reason;

/** One line: a ShipgraphError keeps its code and its fix (a missing serverless binary says how to install it). */
export const describeError = (error: unknown): string => {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (!(error instanceof ShipgraphError)) return message;
  return `${error.code}: ${message}${error.hint === undefined ? '' : ` (fix: ${error.hint})`}`;
};
