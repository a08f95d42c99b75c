#!/usr/bin/env node
// Planning speed: `shipgraph plan --json` against `nx show projects --affected` and `turbo ls
// --filter=...[B...H]` on the same commit range of generated monorepos, and against the floor
// (floor.mjs: Node's start and the git reads a plan needs, nothing else) and the floor with the
// walk of dependents in JS (floor-walk, what "floor" meant until 2026-12).
//
//   node tools/bench/planning.mjs [--sizes 250,2500,10000] [--rounds 5] [--distance 3] [--seed 1]
//                                 [--commits 20] [--cold] [--no-auto] [--keep] [--out results.json]
//                                 [--baseline path/to/other/bin/shipgraph.js]
//
// Each size is a fresh repository (four services to one library). Base is HEAD~distance, head is
// HEAD. One warm-up round, then `rounds` rounds with the tools interleaved (A B C D A B C D ...);
// medians of wall time and of peak memory. Every run's selection is checked (see harness.mjs).
// With --cold each tool's cache (.nx, .turbo, .shipgraph/cache) is removed before each of its runs.
// Unless --no-auto, shipgraph is also measured once in its default "auto" graph mode (no config:
// with nx.json and nx installed it asks nx for the project graph and caches it): first run, then warm.
// With --baseline, another build of shipgraph (the main branch's, built beside this one) runs in the
// same rounds, right after this one; each round's ratio of the two tells a change from the machine.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  benchRepo,
  checkSelection,
  environment,
  median,
  missingTools,
  nxGraphCached,
  runTool,
  shipgraphAt,
  table,
  TOOLS,
  truthOf,
} from './harness.mjs';

export const PLANNING_TOOLS = ['shipgraph', 'nx', 'turbo', 'floor', 'floor-walk'];

/** Measures planning at each size; returns one result per size. */
export function benchPlanning({
  sizes = [250, 2500, 10000],
  rounds = 5,
  distance = 3,
  seed = 1,
  commits = 20,
  cold = false,
  auto = true,
  keep = false,
  baseline = null,
  log = (line) => console.error(line),
}) {
  const missing = missingTools(PLANNING_TOOLS);
  const tools = PLANNING_TOOLS.filter((name) => !missing.includes(name));
  if (baseline !== null) tools.splice(1, 0, 'baseline');
  const registry = baseline === null ? TOOLS : { ...TOOLS, baseline: shipgraphAt(resolve(baseline)) };
  for (const name of missing) log(`planning: ${name} is not installed in node_modules; left out`);
  const results = [];
  for (const packages of sizes) {
    const generated = performance.now();
    const repo = benchRepo({ packages, commits, seed });
    log(
      `planning: ${packages} packages generated in ${Math.round(performance.now() - generated)} ms (${repo.dir})`,
    );
    try {
      const head = repo.commits.at(-1).sha;
      const base = repo.commits.at(-1 - distance).sha;
      const truth = truthOf(repo, base, head);
      const runs = Object.fromEntries(tools.map((name) => [name, []]));
      const loadBefore = environment().loadavg;
      for (let round = 0; round <= rounds; round++) {
        for (const name of tools) {
          const run = runTool(name, repo, base, head, { cold, tools: registry });
          checkSelection(name, run, truth);
          if (round > 0) runs[name].push(run); // round 0 is the warm-up
        }
      }
      const summary = Object.fromEntries(
        tools.map((name) => [
          name,
          {
            medianMs: Math.round(median(runs[name].map((run) => run.ms))),
            minMs: Math.round(Math.min(...runs[name].map((run) => run.ms))),
            maxMs: Math.round(Math.max(...runs[name].map((run) => run.ms))),
            medianPeakMb: mb(median(runs[name].map((run) => run.peakKb))),
            projects: runs[name][0].projects,
            services: runs[name][0].services.length,
            runsMs: runs[name].map((run) => Math.round(run.ms)),
          },
        ]),
      );
      const ratio = (other) =>
        summary[other] === undefined
          ? null
          : +(summary.shipgraph.medianMs / summary[other].medianMs).toFixed(2);
      const result = {
        packages,
        services: repo.services.size,
        libs: repo.packages.length - repo.services.size,
        base,
        head,
        changedFiles: truth.changed.length,
        servicesNeedingDeploy: truth.services.length,
        rounds,
        cold,
        loadavg: { before: loadBefore, after: environment().loadavg },
        tools: summary,
        ratios: {
          shipgraphToTurbo: ratio('turbo'),
          shipgraphToNx: ratio('nx'),
          shipgraphToFloor: ratio('floor'),
          // The median of each round's ratio: both ran within the same seconds.
          shipgraphToBaseline:
            baseline === null
              ? null
              : +median(runs.shipgraph.map((run, i) => run.ms / runs.baseline[i].ms)).toFixed(2),
        },
        auto: auto ? benchAuto({ packages, commits, seed, distance, rounds, keep, log }) : null,
      };
      results.push(result);
      log(
        `planning: ${packages} packages: ${tools.map((name) => `${name} ${summary[name].medianMs} ms`).join(', ')}`,
      );
    } finally {
      if (!keep) repo.remove();
    }
  }
  return results;
}

/**
 * shipgraph with no config: "auto" graph mode. The first run asks nx for its graph (nx graph
 * --file) and caches it; the next runs read the cache.
 */
function benchAuto({ packages, commits, seed, distance, rounds, keep, log }) {
  const repo = benchRepo({ packages, commits, seed, graph: 'auto' });
  try {
    const head = repo.commits.at(-1).sha;
    const base = repo.commits.at(-1 - distance).sha;
    const truth = truthOf(repo, base, head);
    const first = runTool('shipgraph', repo, base, head, { cold: true });
    checkSelection('shipgraph', first, truth);
    if (!nxGraphCached(repo)) throw new Error('shipgraph in auto mode did not ask nx for its graph');
    const warm = [];
    for (let round = 0; round < rounds; round++) {
      const run = runTool('shipgraph', repo, base, head);
      checkSelection('shipgraph', run, truth);
      warm.push(run);
    }
    const result = {
      firstMs: Math.round(first.ms),
      firstPeakMb: mb(first.peakKb),
      warmMedianMs: Math.round(median(warm.map((run) => run.ms))),
      warmMedianPeakMb: mb(median(warm.map((run) => run.peakKb))),
    };
    log(`planning: ${packages} packages, shipgraph in auto graph mode: ${JSON.stringify(result)}`);
    return result;
  } finally {
    if (!keep) repo.remove();
  }
}

const mb = (kb) => (kb === null || Number.isNaN(kb) ? null : Math.round(kb / 1024));

export function formatPlanning(results) {
  const out = [];
  for (const result of results) {
    out.push(
      `Planning, ${result.packages} packages (${result.services} services, ${result.libs} libs): ` +
        `${result.changedFiles} files changed in ${result.base.slice(0, 8)}..${result.head.slice(0, 8)}, ` +
        `${result.servicesNeedingDeploy} services need a deploy; median of ${result.rounds} interleaved rounds` +
        `${result.cold ? ', caches removed before each run' : ' after a warm-up round'}; ` +
        `load ${result.loadavg.before[0]} → ${result.loadavg.after[0]}`,
    );
    const rows = [['tool', 'median', 'min', 'max', 'peak RSS', 'projects listed', 'services']];
    for (const [name, tool] of Object.entries(result.tools)) {
      rows.push([
        name,
        `${tool.medianMs} ms`,
        `${tool.minMs} ms`,
        `${tool.maxMs} ms`,
        tool.medianPeakMb === null ? '-' : `${tool.medianPeakMb} MB`,
        tool.projects,
        tool.services,
      ]);
    }
    if (result.auto !== null) {
      rows.push([
        'shipgraph auto, 1st',
        `${result.auto.firstMs} ms`,
        '',
        '',
        `${result.auto.firstPeakMb} MB`,
        '',
        '',
      ]);
      rows.push([
        'shipgraph auto, warm',
        `${result.auto.warmMedianMs} ms`,
        '',
        '',
        `${result.auto.warmMedianPeakMb} MB`,
        '',
        '',
      ]);
    }
    out.push(table(rows));
    const { shipgraphToTurbo, shipgraphToNx, shipgraphToFloor, shipgraphToBaseline } = result.ratios;
    out.push(
      `shipgraph ÷ turbo ${shipgraphToTurbo ?? '-'}, shipgraph ÷ nx ${shipgraphToNx ?? '-'}, shipgraph ÷ floor ${shipgraphToFloor ?? '-'}` +
        (shipgraphToBaseline === null
          ? ''
          : `, shipgraph ÷ baseline ${shipgraphToBaseline} (median of the rounds' ratios)`),
      '',
    );
  }
  out.push('Planning, all sizes (median wall time, median peak RSS):', summaryTable(results), '');
  return out.join('\n');
}

/** One row per size: the four tools and shipgraph's ratios to each, as BENCHMARKS.md reports them. */
function summaryTable(results) {
  const cell = (tool) => (tool === undefined ? '-' : `${tool.medianMs} ms, ${tool.medianPeakMb ?? '-'} MB`);
  const rows = [
    [
      'packages',
      'shipgraph',
      'nx',
      'turbo',
      'floor',
      'shipgraph ÷ turbo',
      'shipgraph ÷ nx',
      'shipgraph ÷ floor',
    ],
  ];
  for (const { packages, tools, ratios } of results) {
    rows.push([
      packages.toLocaleString('en-US'),
      cell(tools.shipgraph),
      cell(tools.nx),
      cell(tools.turbo),
      cell(tools.floor),
      ratios.shipgraphToTurbo ?? '-',
      ratios.shipgraphToNx ?? '-',
      ratios.shipgraphToFloor ?? '-',
    ]);
  }
  return table(rows);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '250,2500,10000' },
      rounds: { type: 'string', default: '5' },
      distance: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      commits: { type: 'string', default: '20' },
      cold: { type: 'boolean', default: false },
      'no-auto': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      baseline: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const results = benchPlanning({
    sizes: values.sizes.split(',').map(Number),
    rounds: Number(values.rounds),
    distance: Number(values.distance),
    seed: Number(values.seed),
    commits: Number(values.commits),
    cold: values.cold,
    auto: !values['no-auto'],
    keep: values.keep,
    baseline: values.baseline ?? null,
  });
  console.log(formatPlanning(results));
  if (values.out)
    writeFileSync(values.out, JSON.stringify({ environment: environment(), planning: results }, null, 2));
}
