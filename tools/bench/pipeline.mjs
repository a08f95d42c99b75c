#!/usr/bin/env node
// Benchmarks a whole deploy run, deploys and the e2e runs after them: its wall time against the bound
// the graph allows. Each service deploys by sleeping a seeded 600–1199 ms and its `test:e2e` script (run
// through npm, as for a real service) sleeps 1.5 s.
//
//   node tools/bench/pipeline.mjs [--services 12,40] [--caps unbounded,4] [--seed 7] [--bin other/shipgraph.js]
//                                 [--out results.json]
//
// Wall time: from the first deploy's start to the end of the shipgraph process (so a CLI that reports
// no e2e times is measured the same way). The bound: for each service, the longest chain of deploys
// ending at it plus its own e2e run, the max over services (durations as the run measured them); with
// a cap c, also total deploy time ÷ c and total e2e time ÷ c, since no schedule beats those.
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BIN, deploy, makeRepo, seededDependencies, serviceName } from './dag-workspace.mjs';
import { randomFrom } from './generate.mjs';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '12,40' },
    caps: { type: 'string', default: 'unbounded,4' },
    seed: { type: 'string', default: '7' },
    'e2e-ms': { type: 'string', default: '1500' },
    bin: { type: 'string', default: BIN },
    out: { type: 'string' },
  },
});

const E2E_MS = Number(values['e2e-ms']);

/** The run's bound from the durations it measured (e2e durations as shipgraph timed them, npm included). */
function bound(summary, deps, cap) {
  const deployMs = new Map(summary.results.map((r) => [r.service, r.endedAt - r.startedAt]));
  const e2eMs = new Map(summary.e2e.map((r) => [r.service, r.durationMs]));
  const chain = new Map();
  for (const name of [...deployMs.keys()].sort())
    chain.set(name, deployMs.get(name) + Math.max(0, ...deps.get(name).map((d) => chain.get(d))));
  const chainBound = Math.max(...[...chain].map(([name, ms]) => ms + (e2eMs.get(name) ?? 0)));
  const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  return cap === null ? chainBound : Math.max(chainBound, sum(deployMs) / cap, sum(e2eMs) / cap);
}

const rows = [];
for (const count of values.services.split(',').map(Number)) {
  const random = randomFrom(Number(values.seed));
  const durations = Array.from({ length: count }, () => 600 + Math.floor(random() * 600));
  const depLists = seededDependencies(count, random);
  const deps = new Map(depLists.map((list, i) => [serviceName(i), list.map(serviceName)]));
  const dir = makeRepo(
    count,
    (i) => durations[i],
    (i) => depLists[i],
    { e2eMs: E2E_MS },
  );
  try {
    for (const capName of values.caps.split(',')) {
      const cap = capName === 'unbounded' ? null : Number(capName);
      const { summary, exitedAt } = deploy(dir, cap ?? 1000, { bin: values.bin });
      if (summary.e2e.length !== count || summary.e2e.some((r) => r.status !== 'passed'))
        throw new Error('every e2e run must pass');
      const first = Math.min(...summary.results.map((r) => r.startedAt));
      const wallMs = exitedAt - first;
      const boundMs = bound(summary, deps, cap);
      const e2eEnd = summary.e2e.every((r) => typeof r.endedAt === 'number')
        ? Math.max(...summary.e2e.map((r) => r.endedAt)) - first
        : null;
      rows.push({
        services: count,
        cap: capName,
        wallMs,
        lastE2eEndMs: e2eEnd,
        boundMs: Math.round(boundMs),
        ratio: +(wallMs / boundMs).toFixed(2),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`Deploys and e2e runs (deploys 600-1199 ms, e2e ${E2E_MS} ms through npm, seed ${values.seed})`);
console.log('services  cap        wall      bound     wall/bound');
for (const row of rows)
  console.log(
    `${String(row.services).padEnd(8)}  ${row.cap.padEnd(9)}  ${String(row.wallMs).padStart(6)}ms  ${String(row.boundMs).padStart(6)}ms  ${String(row.ratio).padStart(10)}`,
  );
if (values.out) writeFileSync(values.out, JSON.stringify({ rows }, null, 2));
