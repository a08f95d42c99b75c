// Plain progress lines for logs that are read afterwards (CodeBuild): a timestamped line per event.
import {
  failureDetail,
  labelOf,
  seconds,
  timeOfDay,
  type ProgressEvent,
  type Reporter,
  type RendererOptions,
} from './contract.js';

export interface PlainOptions extends RendererOptions {
  /** Every line of every tool, prefixed `[service/region]`, among the events. */
  toolLines: boolean;
}

export function plainReporter(options: PlainOptions): Reporter {
  const report = (event: ProgressEvent): void => {
    const lines = linesOf(event, options);
    if (lines.length > 0) options.write(lines.map((line) => `${line}\n`).join(''));
  };
  return { report, close: () => undefined, [Symbol.dispose]: () => undefined };
}

function linesOf(event: ProgressEvent, { paint, now, toolLines }: PlainOptions): string[] {
  if (event.type === 'note' || event.type === 'warning') return [event.line];
  const label = `[${labelOf(event.step)}]`;
  const at = `${paint.dim(timeOfDay(now()))} ${label}`;
  switch (event.type) {
    case 'waiting':
      // The order is in the plan printed before; a line per dependency finished would drown the rest.
      return [];
    case 'output':
      return toolLines ? [`${label} ${event.line}`] : [];
    case 'started':
      return [`${at} started`];
    case 'retrying': {
      const retrying = paint.yellow(`retrying (${event.attempt} of ${event.of})`);
      return [`${at} ${retrying} in ${event.delayMs / 1000}s: ${event.reason}`];
    }
    case 'blocked':
      return [`${at} ${paint.yellow('blocked')}: ${event.why}`];
    case 'finished': {
      const took = seconds(event.durationMs);
      if (event.status === 'skipped') return [`${at} ${paint.dim('skipped')}: ${event.reason ?? ''}`];
      if (event.status !== 'failed') return [`${at} ${paint.green(event.status)} in ${took}`];
      return [
        `${at} ${paint.red('failed')} after ${took}: ${event.reason ?? ''}`,
        ...failureDetail(event).map(paint.dim),
      ];
    }
  }
}
