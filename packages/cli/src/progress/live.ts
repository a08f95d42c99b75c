// The live view on a terminal: a line per running or waiting step with its elapsed time, redrawn in
// place under the lines already written (notes, and each step once it ended: a failure with its last lines).
import { stripVTControlCharacters } from 'node:util';
// log-update 7.2, not 8: 8 needs Node 22, and the CLI runs on Node 20 too.
import { createLogUpdate } from 'log-update';
import {
  failureDetail,
  labelOf,
  seconds,
  type Paint,
  type ProgressEvent,
  type Reporter,
  type RendererOptions,
  type StepRef,
} from './contract.js';

export interface LiveOptions extends RendererOptions {
  columns: () => number;
  rows: () => number;
  /** How often elapsed times are redrawn; 0: only when something happens (tests). */
  refreshMs: number;
}

interface Row {
  step: StepRef;
  /** When (ms) it started; null while it waits. */
  since: number | null;
  state: string;
  /** The tool's latest line, a hint of what it is doing (the log file has them all). */
  latest: string;
}

export function liveReporter(options: LiveOptions): Reporter {
  const { paint, write } = options;
  // log-update erases and redraws; it writes to the Io, never to process.stderr itself, so the
  // cursor stays shown (hiding it would write to process.stderr behind the Io's back).
  const terminal = { write, isTTY: true, columns: options.columns(), rows: options.rows() };
  const update = createLogUpdate(terminal as unknown as NodeJS.WriteStream, { showCursor: true });
  const rows = new Map<string, Row>();
  const now = (): number => options.now().getTime();
  const view = { firstStart: null as number | null, ended: 0, closed: false };
  let timer: NodeJS.Timeout | null = null;

  const draw = (): void => {
    if (view.closed) return;
    Object.assign(terminal, { columns: options.columns(), rows: options.rows() });
    if (rows.size === 0) update.clear();
    else update(frame([...rows.values()], view, now(), options));
  };
  /** Lines written once, above the live ones. */
  const above = (lines: readonly string[]): void => {
    if (!view.closed) update.clear();
    write(lines.map((line) => `${line}\n`).join(''));
    draw();
  };
  const report = (event: ProgressEvent): void => {
    if (event.type === 'note' || event.type === 'warning') {
      above([event.line]);
      return;
    }
    const id = `${event.step.kind} ${event.step.service} ${event.step.region ?? ''}`;
    const row = rows.get(id);
    if (event.type === 'output') {
      // Redrawn with the next tick, not per line: tools print hundreds.
      if (row !== undefined) row.latest = stripVTControlCharacters(event.line).trim();
      return;
    }
    if (event.type === 'waiting') {
      const state = event.on.length === 0 ? 'queued' : `waiting on ${event.on.join(', ')}`;
      rows.set(id, { step: event.step, since: null, state, latest: '' });
    } else if (event.type === 'started') {
      view.firstStart ??= now();
      rows.set(id, { step: event.step, since: now(), state: doing(event.step), latest: '' });
      timer ??= options.refreshMs > 0 ? setInterval(draw, options.refreshMs).unref() : null;
    } else if (event.type === 'retrying') {
      if (row !== undefined) row.state = paint.yellow(`retrying (${event.attempt} of ${event.of})`);
    } else {
      rows.delete(id);
      view.ended++;
      above(endLines(event, paint));
      return;
    }
    draw();
  };
  const close = (): void => {
    if (view.closed) return;
    if (timer !== null) clearInterval(timer);
    // What is still live (an interrupted run) stays on screen as it was last seen.
    draw();
    update.done();
    view.closed = true;
  };
  return { report, close, [Symbol.dispose]: close };
}

type View = { firstStart: number | null; ended: number };

/** The live lines: running steps, then waiting ones (as many as fit), then the totals. */
function frame(rows: readonly Row[], view: View, now: number, options: LiveOptions): string {
  const { paint } = options;
  const running = rows.filter((row) => row.since !== null);
  const waiting = rows.filter((row) => row.since === null);
  // A frame taller than the terminal scrolls off and cannot be redrawn: waiting steps get what is left.
  const room = Math.max(1, options.rows() - running.length - 2);
  const shown = waiting.length > room ? waiting.slice(0, room - 1) : waiting;
  const width = Math.max(...rows.map((row) => labelOf(row.step).length), 0);
  const lineOf = (row: Row): string => {
    const label = labelOf(row.step).padEnd(width);
    if (row.since === null) return `${paint.dim('·')} ${label}  ${row.state}`;
    const head = `${paint.yellow('▸')} ${label}  ${row.state} ${elapsed(now - row.since)}`;
    const space = options.columns() - stripVTControlCharacters(head).length - 2;
    return row.latest === '' || space < 10 ? head : `${head}  ${paint.dim(cut(row.latest, space))}`;
  };
  const more = waiting.length - shown.length;
  const total = view.firstStart === null ? '' : ` · ${elapsed(now - view.firstStart)}`;
  return [
    ...[...running, ...shown].map(lineOf),
    ...(more > 0 ? [paint.dim(`  … and ${more} more waiting`)] : []),
    paint.dim(`  ${running.length} running, ${waiting.length} waiting, ${view.ended} done${total}`),
  ].join('\n');
}

/** How an ended step is written above the view, once. */
function endLines(event: Extract<ProgressEvent, { type: 'finished' | 'blocked' }>, paint: Paint): string[] {
  const label = labelOf(event.step);
  if (event.type === 'blocked')
    return [`${paint.yellow('-')} ${label}  ${paint.yellow('blocked')}: ${event.why}`];
  const took = seconds(event.durationMs);
  if (event.status === 'skipped')
    return [`${paint.dim('-')} ${label}  ${paint.dim('skipped')}: ${event.reason ?? ''}`];
  if (event.status !== 'failed')
    return [`${paint.green('✔')} ${label}  ${paint.green(event.status)} in ${took}`];
  return [
    `${paint.red('✖')} ${label}  ${paint.red('failed')} after ${took}: ${event.reason ?? ''}`,
    ...failureDetail(event).map(paint.dim),
  ];
}

const DOING: Record<StepRef['kind'], string> = {
  deploy: 'deploying',
  e2e: 'running',
  destroy: 'removing',
  rollback: 'rolling back',
};
const doing = (step: StepRef): string => DOING[step.kind];

/** `12s`, `3m05s`: whole seconds, enough while watching it grow. */
const elapsed = (ms: number): string => {
  const total = Math.floor(ms / 1000);
  return total < 60 ? `${total}s` : `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
};

const cut = (text: string, room: number): string =>
  text.length <= room ? text : `${text.slice(0, room - 1)}…`;
