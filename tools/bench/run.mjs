#!/usr/bin/env node
// The whole benchmark (`npm run bench`): planning speed against Nx and Turborepo at three sizes,
// selection precision over a generated history, the deploy scheduling benchmark, and whole runs of
// deploys with their e2e runs.
//
//   node tools/bench/run.mjs [--sizes 250,2500,10000] [--rounds 5] [--cold] [--no-auto]
//                            [--precision-size 2500] [--precision-commits 40] [--patterns-commits 45]
//                            [--only planning,precision,scheduling,pipeline,avoided] [--out results.json]
//                            [--baseline path/to/other/bin/shipgraph.js]
//
// A quick run: --sizes 250 --rounds 3 --precision-size 250 --only planning,precision
// Tables go to stdout, progress to stderr; --out also writes every number as JSON.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { environment } from './harness.mjs';
import { benchPlanning, formatPlanning } from './planning.mjs';
import { benchPrecision, formatPrecision } from './precision.mjs';

const SCRIPTS = {
  scheduling: fileURLToPath(new URL('./scheduling.mjs', import.meta.url)),
  pipeline: fileURLToPath(new URL('./pipeline.mjs', import.meta.url)),
  avoided: fileURLToPath(new URL('./avoided.mjs', import.meta.url)),
};
const PARTS = ['planning', 'precision', 'scheduling', 'pipeline', 'avoided'];

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '250,2500,10000' },
    rounds: { type: 'string', default: '5' },
    distance: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    cold: { type: 'boolean', default: false },
    'no-auto': { type: 'boolean', default: false },
    'precision-size': { type: 'string', default: '2500' },
    'precision-commits': { type: 'string', default: '40' },
    'patterns-commits': { type: 'string', default: '45' },
    baseline: { type: 'string' },
    'scheduling-services': { type: 'string', default: '40' },
    noop: { type: 'string', default: '500' },
    only: { type: 'string', default: PARTS.join(',') },
    out: { type: 'string' },
  },
});
const only = values.only.split(',');
const unknown = only.filter((part) => !PARTS.includes(part));
if (unknown.length > 0) {
  console.error(`run.mjs: --only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
  process.exit(2);
}

const results = { environment: environment(), startedAt: new Date().toISOString() };

if (only.includes('planning')) {
  results.planning = benchPlanning({
    sizes: values.sizes.split(',').map(Number),
    rounds: Number(values.rounds),
    distance: Number(values.distance),
    seed: Number(values.seed),
    cold: values.cold,
    auto: !values['no-auto'],
    baseline: values.baseline ?? null,
  });
  console.log(formatPlanning(results.planning));
}

if (only.includes('precision')) {
  results.precision = benchPrecision({
    size: Number(values['precision-size']),
    last: Number(values['precision-commits']),
    commits: Number(values['precision-commits']),
    seed: Number(values.seed),
    patternsCommits: Number(values['patterns-commits']),
    baseline: values.baseline ?? null,
  });
  console.log(formatPrecision(results.precision));
}

/** Runs one of the benchmark scripts and reads its --out file; its table goes to stdout. */
function script(part, args, title) {
  const dir = mkdtempSync(join(tmpdir(), `shipgraph-bench-${part}-`));
  try {
    const file = join(dir, `${part}.json`);
    const stdout = execFileSync(process.execPath, [SCRIPTS[part], ...args, '--out', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    results[part] = JSON.parse(readFileSync(file, 'utf8'));
    console.log(`${title}\n${stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.includes('scheduling'))
  script(
    'scheduling',
    ['--services', values['scheduling-services'], '--noop', values.noop],
    'Deploy scheduling (tools/bench/scheduling.mjs)',
  );
if (only.includes('pipeline')) script('pipeline', [], 'Deploys and e2e runs (tools/bench/pipeline.mjs)');
if (only.includes('avoided'))
  script('avoided', [], 'What a run leaves out once it knows what the cloud did (tools/bench/avoided.mjs)');

results.finishedAt = new Date().toISOString();
results.loadavgAtEnd = environment().loadavg;
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
