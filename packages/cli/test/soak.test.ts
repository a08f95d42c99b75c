// A seeded soak: many deploy runs over a changing workspace, with injected failures and throttling,
// killed by SIGKILL, SIGTERM or SIGINT at random moments, and a pair run on one stage at once. After
// every run: the state is valid JSON, a record is only ever what really deployed, dependents started
// after their dependencies ended, nothing started after a signal, and SIGTERM/SIGINT left no lock.
// At the end one clean run must bring every service to its current source: no change is ever lost.
//
// SHIPGRAPH_SOAK_RUNS (default 30) and SHIPGRAPH_SOAK_SEED (default 1) set the length and the draws.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomFrom } from '../../../tools/bench/generate.mjs';
import { BIN } from './helpers/repo.js';
import { commandRepo } from './helpers/deploys.js';

const RUNS = Number(process.env.SHIPGRAPH_SOAK_RUNS ?? 30);
const SEED = Number(process.env.SHIPGRAPH_SOAK_SEED ?? 1);

// a ← b, c ← d ← h; e ← f; g ← h.
const GRAPH: Record<string, string[]> = {
  a: [],
  b: ['a'],
  c: ['a'],
  d: ['b', 'c'],
  e: [],
  f: ['e'],
  g: [],
  h: ['g', 'd'],
};

interface Trace {
  service: string;
  event: 'start' | 'end';
  commit: string;
  content: string;
  t: number;
}

interface Run {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
}

/** Runs deploy, optionally sending `kill` after `afterMs`; resolves with its stderr lines in order. */
function deployRun(dir: string, kill: NodeJS.Signals | null, afterMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      'node',
      [
        BIN,
        'deploy',
        '--json',
        '--no-check-stacks',
        '--skip-e2e',
        '--concurrency',
        '3',
        '--retry-delay',
        '0.05',
        '--lock-timeout',
        '30',
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CI: 'true', GIT_CONFIG_NOSYSTEM: '1' },
      },
    );
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => (buffer += chunk.toString()));
    const timer = kill === null ? null : setTimeout(() => child.kill(kill), afterMs);
    child.on('close', (exitCode, signal) => {
      if (timer !== null) clearTimeout(timer);
      resolve({ exitCode, signal, lines: buffer.split('\n') });
    });
  });
}

const traces = (dir: string): Trace[] =>
  existsSync(join(dir, 'deploy-trace.jsonl'))
    ? readFileSync(join(dir, 'deploy-trace.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Trace)
    : [];

function recorded(dir: string): Record<string, { commit: string }> {
  const file = join(dir, '.shipgraph/state/staging.json');
  if (!existsSync(file)) return {};
  // Must always parse: a crash at any moment never leaves a half-written state file.
  return (JSON.parse(readFileSync(file, 'utf8')) as { services: Record<string, { commit: string }> })
    .services;
}

describe(`soak: ${RUNS} seeded runs (seed ${SEED}) with failures, throttling and kills`, () => {
  it('never loses a change, never records what did not deploy, keeps order, starts nothing after a signal, leaves no lock on SIGTERM/SIGINT', async () => {
    // The same seed, the same soak.
    const draw = randomFrom(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(draw() * list.length)] as T;
    const repo = commandRepo(GRAPH);
    repo.commit('initial');
    const problems: string[] = [];
    const services = Object.keys(GRAPH);
    let concurrentPairs = 0;

    for (let run = 1; run <= RUNS; run++) {
      // A commit that changes one to three services' source.
      for (let i = 0; i < 1 + Math.floor(draw() * 3); i++) {
        const service = pick(services);
        repo.write({
          [`services/${service}/src/index.js`]: `export const name = '${service}'; // run ${run}.${i}\n`,
        });
      }
      repo.commit(`run ${run}`);
      const behaviour: Record<string, object> = {};
      for (const service of services) {
        const roll = draw();
        behaviour[service] = {
          sleepMs: Math.floor(draw() * 150),
          ...(roll < 0.08 ? { fail: true } : roll < 0.16 ? { throttle: 1 } : {}),
        };
      }
      writeFileSync(join(repo.dir, 'deploy-behaviour.json'), JSON.stringify(behaviour));
      const roll = draw();
      const kill: NodeJS.Signals | null =
        roll < 0.2 ? 'SIGKILL' : roll < 0.4 ? 'SIGTERM' : roll < 0.5 ? 'SIGINT' : null;
      const afterMs = 100 + Math.floor(draw() * 700);
      const before = traces(repo.dir).length;

      // Now and then a second run on the same stage at once: the lock lets one deploy at a time.
      const pair = kill === null && draw() < 0.15;
      const results = await Promise.all(
        pair
          ? [deployRun(repo.dir, null, 0), deployRun(repo.dir, null, 0)]
          : [deployRun(repo.dir, kill, afterMs)],
      );
      if (pair) concurrentPairs++;
      const where = `run ${run}${kill === null ? '' : ` (${kill} after ${afterMs} ms)`}`;

      let state: Record<string, { commit: string }> = {};
      try {
        state = recorded(repo.dir);
      } catch (error) {
        problems.push(`${where}: the state file is not valid JSON (${(error as Error).message})`);
      }
      const lockLeft = existsSync(join(repo.dir, '.shipgraph/state/staging.lock'));
      for (const result of results) {
        const interrupted = result.exitCode === 130 || result.exitCode === 143;
        if (interrupted && lockLeft) problems.push(`${where}: the lock was left behind after ${kill}`);
        const signalled = result.lines.findIndex((line) => /^received SIG(TERM|INT)/.test(line));
        if (signalled >= 0) {
          const started = result.lines
            .slice(signalled + 1)
            .filter((line) => /^\[\w+\/[\w-]+\] \$ /.test(line));
          if (started.length > 0) problems.push(`${where}: started after the signal: ${started.join(' | ')}`);
        }
      }

      const fresh = traces(repo.dir).slice(before);
      // Dependents start after their dependencies ended (within the run; the pair's runs are one each).
      for (const start of fresh.filter((trace) => trace.event === 'start')) {
        for (const dependency of GRAPH[start.service] ?? []) {
          const ended = fresh.find(
            (trace) => trace.service === dependency && trace.event === 'end' && trace.commit === start.commit,
          );
          const began = fresh.find(
            (trace) =>
              trace.service === dependency && trace.event === 'start' && trace.commit === start.commit,
          );
          if (began !== undefined && (ended === undefined || ended.t > start.t))
            problems.push(`${where}: ${start.service} started before ${dependency} ended`);
        }
      }
      // A record only ever says what really deployed: an end at that very commit.
      const all = traces(repo.dir);
      for (const [service, record] of Object.entries(state)) {
        if (
          !all.some(
            (trace) => trace.service === service && trace.event === 'end' && trace.commit === record.commit,
          )
        )
          problems.push(
            `${where}: ${service} is recorded at ${record.commit.slice(0, 8)}, where it never finished deploying`,
          );
      }
    }

    // One clean run brings everything up to date: every service's last deploy shipped its current source.
    writeFileSync(join(repo.dir, 'deploy-behaviour.json'), '{}');
    const final = await deployRun(repo.dir, null, 0);
    expect(final.exitCode, final.lines.join('\n')).toBe(0);
    const plan = await repo.plan();
    expect(plan.services.filter((service) => service.deploy).map((service) => service.name)).toEqual([]);
    for (const service of services) {
      const source = readFileSync(join(repo.dir, `services/${service}/src/index.js`), 'utf8');
      const last = traces(repo.dir)
        .filter((trace) => trace.service === service && trace.event === 'end')
        .at(-1);
      const { createHash } = await import('node:crypto');
      const content = createHash('sha256').update(source).digest('hex').slice(0, 16);
      if (last?.content !== content) problems.push(`lost change: ${service}'s current source never deployed`);
    }
    expect(problems).toEqual([]);
    // The draws must have exercised what the soak is for.
    expect(RUNS < 30 || concurrentPairs > 0).toBe(true);
  }, 600_000);
});
