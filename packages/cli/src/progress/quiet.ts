// --quiet: only failures (with their last lines) and warnings; the summary on stdout says the rest.
import { failureDetail, labelOf, seconds, type Reporter, type RendererOptions } from './contract.js';

export function quietReporter({ write, paint }: RendererOptions): Reporter {
  return {
    report(event) {
      if (event.type === 'warning') write(`${event.line}\n`);
      if (event.type !== 'finished' || event.status !== 'failed') return;
      const head = `[${labelOf(event.step)}] ${paint.red('failed')} after ${seconds(event.durationMs)}: ${event.reason ?? ''}`;
      write([head, ...failureDetail(event).map(paint.dim)].map((text) => `${text}\n`).join(''));
    },
    close: () => undefined,
    [Symbol.dispose]: () => undefined,
  };
}
