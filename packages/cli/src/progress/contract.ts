// What a run tells about its steps as they go, and the reporter contract every renderer implements.

/**
 * One step of a run: a service's deploy, e2e test or rollback in a region, or its removal (all regions
 * at once).
 */
export interface StepRef {
  service: string;
  region: string | null;
  kind: 'deploy' | 'e2e' | 'destroy' | 'rollback';
}

/** How a step that ran ended. */
export type StepEnd = 'deployed' | 'unchanged' | 'failed' | 'passed' | 'removed' | 'rolled back' | 'skipped';

export type ProgressEvent =
  /** Not started: `on` names the dependencies still unfinished; empty, it waits for a free slot. */
  | { type: 'waiting'; step: StepRef; on: readonly string[] }
  | { type: 'started'; step: StepRef }
  /** One line of the step's tool, as it printed it (the log file has it too). */
  | { type: 'output'; step: StepRef; line: string }
  | { type: 'retrying'; step: StepRef; attempt: number; of: number; delayMs: number; reason: string }
  | {
      type: 'finished';
      step: StepRef;
      status: StepEnd;
      durationMs: number;
      /** Why it failed, in one line. */
      reason?: string;
      /**
       * A failure's lines to show why without opening the log: the first that look like the error
       * (when they scrolled out of the last ones), then the last lines.
       */
      excerpt?: readonly string[];
      /** Repository-relative path of the step's full log. */
      log?: string;
    }
  | { type: 'blocked'; step: StepRef; why: string }
  /** A line about the run as a whole (what it is for, the lock, the plan). */
  | { type: 'note'; line: string }
  | { type: 'warning'; line: string };

/** Turns events into what a person reads on stderr; closed once, before the result goes to stdout. */
export interface Reporter extends Disposable {
  report(event: ProgressEvent): void;
  /** Draws the last state and stops redrawing; what is reported after goes out as plain lines. */
  close(): void;
}

/** Colours, or none (NO_COLOR, not a terminal): decided once by the registry. */
export interface Paint {
  green: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  dim: (text: string) => string;
}

/** What a renderer gets from the edge: where to write, the clock, and whether to colour. */
export interface RendererOptions {
  write: (text: string) => void;
  now: () => Date;
  paint: Paint;
}

/** How many of a failure's last lines are shown under it. */
export const FAILURE_LINES = 15;

/** `orders/eu-west-1`, `orders/eu-west-1 e2e`, `orders destroy`: the prefix tool lines have always had. */
export const labelOf = (step: StepRef): string =>
  step.kind === 'destroy'
    ? `${step.service} destroy`
    : `${step.service}/${step.region ?? ''}${step.kind === 'deploy' ? '' : ` ${step.kind}`}`;

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** A failure's excerpt and where the rest is, indented to sit under it. */
export const failureDetail = (event: Extract<ProgressEvent, { type: 'finished' }>): string[] => [
  ...(event.excerpt ?? []).map((text) => `    | ${text}`),
  ...(event.log === undefined ? [] : [`    full log: ${event.log}`]),
];

/** `12:03:04`, local time: what the person reading the log sees on their own clock. */
export const timeOfDay = (date: Date): string =>
  [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
