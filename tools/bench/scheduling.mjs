#!/usr/bin/env node
// Benchmarks shipgraph's deploy scheduler: makespan against the critical path and against an ideal
// wave-by-wave scheduler, and shipgraph's own time per no-op deploy.
//
//   node tools/bench/scheduling.mjs [--services 40] [--seed 7] [--noop 500] [--out results.json]
//   node tools/bench/scheduling.mjs --seeds 1,2,3,4,5 --noop 0     (the DAG for each seed; no no-op part)
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deploy as deployRun, makeRepo, seededDependencies, serviceName } from './dag-workspace.mjs';
import { randomFrom } from './generate.mjs';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '40' },
    seed: { type: 'string', default: '7' },
    seeds: { type: 'string' },
    noop: { type: 'string', default: '500' },
    out: { type: 'string' },
  },
});

/** A deploy's makespan from its own summary: the first start to the last end. */
function deploy(dir, concurrency, again = false) {
  const { wallMs, summary } = deployRun(dir, concurrency, { again });
  const results = summary.results;
  const makespan = Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt));
  return { wallMs, makespan, results };
}

// Lower bounds from the durations each deploy actually took in the run.
function bounds(results, deps, concurrency) {
  const duration = new Map(results.map((r) => [r.service, r.endedAt - r.startedAt]));
  const finish = new Map();
  const level = new Map();
  const names = [...duration.keys()].sort();
  for (const name of names) {
    const own = duration.get(name);
    const before = deps.get(name).map((d) => finish.get(d));
    finish.set(name, own + Math.max(0, ...before));
    level.set(name, 1 + Math.max(-1, ...deps.get(name).map((d) => level.get(d))));
  }
  const criticalPath = Math.max(...finish.values());
  const total = [...duration.values()].reduce((a, b) => a + b, 0);
  // An ideal wave scheduler: each level starts when the slowest deploy of the previous level ends.
  const waves = new Map();
  for (const name of names)
    waves.set(level.get(name), Math.max(waves.get(level.get(name)) ?? 0, duration.get(name)));
  const waveMakespan = [...waves.values()].reduce((a, b) => a + b, 0);
  return { criticalPath, lowerBound: Math.max(criticalPath, total / concurrency), waveMakespan };
}

const count = Number(values.services);
const seeds = (values.seeds ?? values.seed).split(',').map(Number);
if (seeds.some((seed) => !Number.isInteger(seed)))
  throw new Error(`--seeds: whole numbers, not ${values.seeds}`);
const rows = [];
for (const seed of seeds) {
  const random = randomFrom(seed);
  const durations = Array.from({ length: count }, () => 100 + Math.floor(random() * 900));
  const depLists = seededDependencies(count, random);
  const dag = makeRepo(
    count,
    (i) => durations[i],
    (i) => depLists[i],
  );
  const deps = new Map(depLists.map((list, i) => [serviceName(i), list.map(serviceName)]));
  for (const concurrency of [1000, 8, 4, 2]) {
    // The first deploy knows no durations (chains count in deploys); the next one has them recorded.
    for (const again of [false, true]) {
      const run = deploy(dag, concurrency, again);
      const b = bounds(run.results, deps, concurrency);
      rows.push({
        seed,
        concurrency: concurrency === 1000 ? 'unbounded' : concurrency,
        run: again ? 'recorded durations' : 'first deploy',
        makespanMs: Math.round(run.makespan),
        criticalPathMs: Math.round(b.criticalPath),
        lowerBoundMs: Math.round(b.lowerBound),
        ratio: +(run.makespan / b.lowerBound).toFixed(3),
        idealWavesMs: concurrency === 1000 ? Math.round(b.waveMakespan) : null,
      });
    }
  }
  rmSync(dag, { recursive: true, force: true });
}

const noopCount = Number(values.noop);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
let noop = null;
if (noopCount > 0) {
  const many = makeRepo(
    noopCount,
    () => 0,
    () => [],
  );
  const single = makeRepo(
    1,
    () => 0,
    () => [],
  );
  const runsMs = [0, 1, 2].map(() => deploy(many, 8).wallMs);
  const singleMs = [0, 1, 2].map(() => deploy(single, 8).wallMs);
  const perDeployMs = (median(runsMs) - median(singleMs)) / (noopCount - 1);
  rmSync(many, { recursive: true, force: true });
  rmSync(single, { recursive: true, force: true });
  noop = { count: noopCount, runsMs, singleMs, perDeployMs };
}

for (const seed of seeds) {
  console.log(`DAG of ${count} services (seed ${seed}), deploys sleep 100-999 ms`);
  console.log(
    'concurrency  run                 makespan  critical path  lower bound  makespan/bound  ideal waves',
  );
  for (const row of rows.filter((one) => one.seed === seed)) {
    console.log(
      `${String(row.concurrency).padEnd(11)}  ${row.run.padEnd(18)}  ${String(row.makespanMs).padStart(6)}ms  ${String(row.criticalPathMs).padStart(11)}ms  ${String(row.lowerBoundMs).padStart(9)}ms  ${String(row.ratio).padStart(14)}  ${row.idealWavesMs === null ? '-' : `${row.idealWavesMs}ms`}`,
    );
  }
}
if (seeds.length > 1) {
  console.log(`makespan/bound by seed (${seeds.join(', ')}), and the worst`);
  for (const concurrency of ['unbounded', 8, 4, 2]) {
    for (const run of ['first deploy', 'recorded durations']) {
      const ratios = rows
        .filter((row) => row.concurrency === concurrency && row.run === run)
        .map((row) => row.ratio);
      console.log(
        `${String(concurrency).padEnd(11)}  ${run.padEnd(18)}  ${ratios.join('  ')}  worst ${Math.max(...ratios)}`,
      );
    }
  }
}
if (noop !== null)
  console.log(
    `no-op deploys: ${noopCount} at concurrency 8 took ${Math.round(median(noop.runsMs))} ms (1 service: ${Math.round(median(noop.singleMs))} ms) → ${noop.perDeployMs.toFixed(2)} ms per deploy`,
  );
if (values.out) writeFileSync(values.out, JSON.stringify({ rows, noop }, null, 2));
