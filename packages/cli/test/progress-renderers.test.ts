// The renderers on their own, with a fake clock: what each writes for the same events, and the colour rule.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent, StepRef } from '../src/progress/contract.js';
import { liveReporter } from '../src/progress/live.js';
import { plainReporter } from '../src/progress/plain.js';
import { quietReporter } from '../src/progress/quiet.js';
import { colourWanted, openReporter, paintFor } from '../src/progress/registry.js';
import type { Io } from '../src/io.js';

const step = (service: string, kind: StepRef['kind'] = 'deploy'): StepRef => ({
  service,
  region: kind === 'destroy' ? null : 'eu-west-1',
  kind,
});

/** A clock the test moves, and everything written. */
function harness() {
  let time = new Date(2026, 0, 2, 12, 3, 4).getTime();
  let out = '';
  return {
    options: { write: (text: string) => (out += text), now: () => new Date(time), paint: paintFor(false) },
    advance: (ms: number) => (time += ms),
    out: () => out,
  };
}

/** orders waits on users; users deploys in 41.2 s; orders fails after 12 s; billing is blocked. */
function play(report: (event: ProgressEvent) => void, advance: (ms: number) => void): void {
  report({ type: 'note', line: 'stage staging (eu-west-1)' });
  report({ type: 'waiting', step: step('users'), on: [] });
  report({ type: 'waiting', step: step('orders'), on: ['users'] });
  report({ type: 'started', step: step('users') });
  report({ type: 'output', step: step('users'), line: 'packaging users' });
  advance(3_000);
  report({
    type: 'retrying',
    step: step('users'),
    attempt: 1,
    of: 2,
    delayMs: 5_000,
    reason: 'Rate exceeded',
  });
  advance(38_200);
  report({ type: 'finished', step: step('users'), status: 'deployed', durationMs: 41_200 });
  report({ type: 'waiting', step: step('orders'), on: [] });
  report({ type: 'started', step: step('orders') });
  report({ type: 'output', step: step('orders'), line: 'Error: bad template' });
  advance(12_000);
  const excerpt = ['line 1', 'Error: bad template'];
  const log = '.shipgraph/logs/staging/orders.eu-west-1.log';
  report({
    type: 'finished',
    step: step('orders'),
    status: 'failed',
    durationMs: 12_000,
    reason: 'exit 1',
    excerpt,
    log,
  });
  report({ type: 'blocked', step: step('billing'), why: 'orders failed' });
  report({ type: 'started', step: step('users', 'e2e') });
  advance(2_000);
  report({ type: 'finished', step: step('users', 'e2e'), status: 'passed', durationMs: 2_000 });
}

describe('plain lines', () => {
  it('one timestamped line per event, tool lines prefixed, a failure with its last lines and log', () => {
    const { options, advance, out } = harness();
    const reporter = plainReporter({ ...options, toolLines: true });
    play((event) => {
      reporter.report(event);
    }, advance);
    expect(out()).toBe(
      [
        'stage staging (eu-west-1)',
        '12:03:04 [users/eu-west-1] started',
        '[users/eu-west-1] packaging users',
        '12:03:07 [users/eu-west-1] retrying (1 of 2) in 5s: Rate exceeded',
        '12:03:45 [users/eu-west-1] deployed in 41.2s',
        '12:03:45 [orders/eu-west-1] started',
        '[orders/eu-west-1] Error: bad template',
        '12:03:57 [orders/eu-west-1] failed after 12.0s: exit 1',
        '    | line 1',
        '    | Error: bad template',
        '    full log: .shipgraph/logs/staging/orders.eu-west-1.log',
        '12:03:57 [billing/eu-west-1] blocked: orders failed',
        '12:03:57 [users/eu-west-1 e2e] started',
        '12:03:59 [users/eu-west-1 e2e] passed in 2.0s',
        '',
      ].join('\n'),
    );
  });

  it('without tool lines, the events alone', () => {
    const { options, advance, out } = harness();
    const reporter = plainReporter({ ...options, toolLines: false });
    play((event) => {
      reporter.report(event);
    }, advance);
    expect(out()).not.toContain('packaging users');
    expect(out()).toContain('12:03:45 [users/eu-west-1] deployed in 41.2s\n');
  });
});

describe('--quiet', () => {
  it('writes failures with their last lines, and warnings, nothing else', () => {
    const { options, advance, out } = harness();
    const reporter = quietReporter(options);
    reporter.report({ type: 'warning', line: 'warning: 1 tracked file differs' });
    play((event) => {
      reporter.report(event);
    }, advance);
    expect(out()).toBe(
      [
        'warning: 1 tracked file differs',
        '[orders/eu-west-1] failed after 12.0s: exit 1',
        '    | line 1',
        '    | Error: bad template',
        '    full log: .shipgraph/logs/staging/orders.eu-west-1.log',
        '',
      ].join('\n'),
    );
  });
});

describe('live view', () => {
  it('redraws running and waiting steps in place, with elapsed times, and writes ended ones once above', () => {
    const { options, advance, out } = harness();
    const reporter = liveReporter({ ...options, columns: () => 100, rows: () => 30, refreshMs: 0 });
    play((event) => {
      reporter.report(event);
    }, advance);
    reporter.close();
    const text = stripVTControlCharacters(out());
    expect(text).toContain('· orders/eu-west-1  waiting on users');
    expect(text).toContain('▸ users/eu-west-1   deploying 0s');
    // Three seconds later a retry redraws it, with the tool's latest line as a hint.
    expect(text).toContain('▸ users/eu-west-1   retrying (1 of 2) 3s  packaging users');
    expect(text).toContain('  1 running, 1 waiting, 0 done · 3s');
    expect(text).toContain('✔ users/eu-west-1  deployed in 41.2s\n');
    expect(text).toContain(
      [
        '✖ orders/eu-west-1  failed after 12.0s: exit 1',
        '    | line 1',
        '    | Error: bad template',
        '    full log: .shipgraph/logs/staging/orders.eu-west-1.log',
      ].join('\n'),
    );
    expect(text).toContain('- billing/eu-west-1  blocked: orders failed\n');
    expect(text).toContain('▸ users/eu-west-1 e2e  running 0s');
    expect(text).toContain('✔ users/eu-west-1 e2e  passed in 2.0s\n');
    // Redrawn in place: the previous frame's lines are erased (cursor up, erase line).
    expect(out()).toContain('\u001b[2K\u001b[1A\u001b[2K');
    // Closed with nothing live: the last thing written is the last ended step, not a frame.
    expect(text.endsWith('✔ users/eu-west-1 e2e  passed in 2.0s\n')).toBe(true);
  });

  it('shows as many waiting steps as fit, and how many more there are', () => {
    const { options, out } = harness();
    const reporter = liveReporter({ ...options, columns: () => 80, rows: () => 6, refreshMs: 0 });
    for (let i = 0; i < 10; i++) reporter.report({ type: 'waiting', step: step(`s${i}`), on: ['core'] });
    reporter.close();
    const text = stripVTControlCharacters(out());
    // Six rows: three waiting steps, the count of the rest and the totals; the others are never drawn.
    expect(text).toContain('… and 7 more waiting');
    expect(text.slice(text.indexOf('… and'))).not.toMatch(/s[3-9]\//);
    expect(text).not.toMatch(/s[4-9]\//);
  });
});

describe('choosing the renderer', () => {
  const io = (stderrIsTTY: boolean, env: Record<string, string> = {}): Io => ({
    cwd: '/',
    env,
    stdout: () => undefined,
    stderr: () => undefined,
    now: () => new Date(0),
    stderrIsTTY,
    columns: () => 80,
    rows: () => 24,
  });

  it('colour on a terminal, none elsewhere; NO_COLOR turns it off, FORCE_COLOR on (and wins)', () => {
    expect(colourWanted(io(true))).toBe(true);
    expect(colourWanted(io(false))).toBe(false);
    expect(colourWanted(io(true, { NO_COLOR: '1' }))).toBe(false);
    expect(colourWanted(io(true, { NO_COLOR: '' }))).toBe(true);
    expect(colourWanted(io(false, { FORCE_COLOR: '1' }))).toBe(true);
    expect(colourWanted(io(false, { FORCE_COLOR: '1', NO_COLOR: '1' }))).toBe(true);
    expect(colourWanted(io(true, { FORCE_COLOR: '0' }))).toBe(false);
  });

  it('the live view only on a terminal outside CI and without --verbose or --quiet', async () => {
    const kind = async (
      stderrIsTTY: boolean,
      env: Record<string, string>,
      quiet = false,
      verbose = false,
    ) => {
      let written = '';
      const target = {
        ...io(stderrIsTTY, { NO_COLOR: '1', ...env }),
        stderr: (text: string) => (written += text),
      };
      const reporter = await openReporter(target, { quiet, verbose });
      reporter.report({ type: 'started', step: step('a') });
      reporter.report({ type: 'output', step: step('a'), line: 'tool line' });
      reporter.close();
      return written.includes('\u001b[') ? 'live' : written.includes('tool line') ? 'plain' : 'quiet';
    };
    expect(await kind(true, {})).toBe('live');
    expect(await kind(true, { CI: 'true' })).toBe('plain');
    expect(await kind(true, { CI: 'false' })).toBe('live');
    expect(await kind(false, {})).toBe('plain');
    expect(await kind(true, {}, false, true)).toBe('plain');
    expect(await kind(true, {}, true)).toBe('quiet');
    expect(await kind(false, {}, true)).toBe('quiet');
  });
});
