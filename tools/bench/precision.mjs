#!/usr/bin/env node
// Selection precision over a generated history: for each of the last N commits (base = its parent,
// head = the commit), how many services shipgraph, Nx and Turborepo select, against the services
// that truly need a deploy; per kind of commit (docs/tests only, source, root package.json). A
// selected service that needs no deploy is a wasted deploy: one whose tool finds nothing to change
// (`unchanged` in shipgraph's summary).
//
//   node tools/bench/precision.mjs [--size 2500] [--last 40] [--commits 40] [--seed 1] [--keep] [--out results.json]
//                                  [--patterns-commits 45] [--baseline path/to/other/bin/shipgraph.js]
//
// nx and turbo read the project graph from the checked-out files (HEAD) and the changes from git;
// the generator never changes the graph after the first commit, so HEAD's graph is every commit's.
//
// Then the serverless patterns workspace (patterns.mjs: a pnpm 7 workspace whose services refer to
// a hoisted node_modules folder, the root lockfile, a script writing into another package, a shared
// tsconfig...): each commit against its parent, shipgraph (and --baseline, another build) against
// the services the generator's model says need a deploy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  benchRepo,
  checkSelection,
  environment,
  missingTools,
  runTool,
  shipgraphAt,
  table,
  TOOLS as ALL_TOOLS,
  truthOf,
} from './harness.mjs';
import { generatePatternsMonorepo } from './patterns.mjs';

const TOOLS = ['shipgraph', 'nx', 'turbo'];
const KINDS = ['docs-tests', 'source', 'root'];

export function benchPrecision({
  size = 2500,
  last = 40,
  commits = 40,
  seed = 1,
  keep = false,
  patternsCommits = 45,
  baseline = null,
  log = (line) => console.error(line),
}) {
  const missing = missingTools(TOOLS);
  const tools = TOOLS.filter((name) => !missing.includes(name));
  for (const name of missing) log(`precision: ${name} is not installed; left out`);
  const repo = benchRepo({ packages: size, commits, seed });
  try {
    const history = repo.commits.slice(1).slice(-last);
    const perCommit = history.map((commit, i) => {
      const truth = truthOf(repo, commit.parent, commit.sha);
      const row = {
        sha: commit.sha,
        kind: commit.kind,
        changedFiles: truth.changed.length,
        truth: truth.services.length,
        selected: {},
        missed: {},
        wasted: {},
      };
      for (const name of tools) {
        const run = runTool(name, repo, commit.parent, commit.sha);
        // A tool that misses a service is reported, not thrown: that is what this measures.
        const chosen = new Set(run.services);
        row.selected[name] = run.services.length;
        row.missed[name] = truth.services.filter((service) => !chosen.has(service)).length;
        const needed = new Set(truth.services);
        row.wasted[name] = run.services.filter((service) => !needed.has(service)).length;
        if (name === 'shipgraph') checkSelection(name, run, truth);
      }
      log(
        `precision: ${i + 1}/${history.length} ${commit.kind} ${JSON.stringify(row.selected)} truth ${row.truth}`,
      );
      return row;
    });
    const sum = (rows, pick) => rows.reduce((total, row) => total + pick(row), 0);
    const aggregate = (rows) => ({
      commits: rows.length,
      truth: sum(rows, (row) => row.truth),
      selected: Object.fromEntries(tools.map((name) => [name, sum(rows, (row) => row.selected[name])])),
      missed: Object.fromEntries(tools.map((name) => [name, sum(rows, (row) => row.missed[name])])),
      wasted: Object.fromEntries(tools.map((name) => [name, sum(rows, (row) => row.wasted[name])])),
    });
    return {
      packages: size,
      services: repo.services.size,
      commits: perCommit.length,
      byKind: Object.fromEntries(
        KINDS.map((kind) => [kind, aggregate(perCommit.filter((row) => row.kind === kind))]),
      ),
      total: aggregate(perCommit),
      perCommit,
      patterns: benchPatterns({ commits: patternsCommits, seed, baseline, keep, log }),
    };
  } finally {
    if (!keep) repo.remove();
  }
}

/**
 * Selection over the serverless patterns history: per kind of commit, the services that need a
 * deploy and those shipgraph (and a baseline build) selected, missed and wasted.
 */
export function benchPatterns({
  commits = 45,
  seed = 1,
  baseline = null,
  keep = false,
  log = (line) => console.error(line),
}) {
  const out = mkdtempSync(join(tmpdir(), 'shipgraph-bench-patterns-'));
  const generated = generatePatternsMonorepo({ out, commits, seed });
  const repo = {
    ...generated,
    services: new Set(generated.packages.filter((pkg) => pkg.kind === 'service').map((pkg) => pkg.name)),
  };
  const tools = baseline === null ? ['shipgraph'] : ['shipgraph', 'baseline'];
  const registry = baseline === null ? ALL_TOOLS : { ...ALL_TOOLS, baseline: shipgraphAt(resolve(baseline)) };
  try {
    const rows = repo.commits.slice(1).map((commit, i) => {
      const needed = new Set(commit.needed);
      const row = {
        sha: commit.sha,
        kind: commit.kind,
        truth: needed.size,
        selected: {},
        missed: {},
        wasted: {},
      };
      for (const name of tools) {
        const run = runTool(name, repo, commit.parent, commit.sha, { tools: registry });
        row.selected[name] = run.services.length;
        row.missed[name] = [...needed].filter((service) => !run.services.includes(service)).length;
        row.wasted[name] = run.services.filter((service) => !needed.has(service)).length;
      }
      log(
        `precision (patterns): ${i + 1}/${repo.commits.length - 1} ${commit.kind} ${JSON.stringify(row.selected)} truth ${row.truth}`,
      );
      return row;
    });
    const sum = (list, pick) => list.reduce((total, row) => total + pick(row), 0);
    const aggregate = (list) => ({
      commits: list.length,
      truth: sum(list, (row) => row.truth),
      selected: Object.fromEntries(tools.map((name) => [name, sum(list, (row) => row.selected[name])])),
      missed: Object.fromEntries(tools.map((name) => [name, sum(list, (row) => row.missed[name])])),
      wasted: Object.fromEntries(tools.map((name) => [name, sum(list, (row) => row.wasted[name])])),
    });
    const kinds = [...new Set(rows.map((row) => row.kind))];
    return {
      services: repo.services.size,
      packages: repo.packages.length,
      commits: rows.length,
      byKind: Object.fromEntries(
        kinds.map((kind) => [kind, aggregate(rows.filter((row) => row.kind === kind))]),
      ),
      total: aggregate(rows),
      perCommit: rows,
    };
  } finally {
    if (!keep) rmSync(repo.dir, { recursive: true, force: true });
  }
}

export function formatPrecision(result) {
  const out = [
    `Selection precision, ${result.packages} packages (${result.services} services), last ${result.commits} commits, each against its parent (services summed over commits)`,
    selectionTable(result),
    '',
  ];
  const { patterns } = result;
  if (patterns !== undefined) {
    out.push(
      `Serverless patterns workspace (pnpm 7), ${patterns.packages} packages (${patterns.services} services), ${patterns.commits} commits, each against its parent`,
      selectionTable(patterns),
      '',
    );
  }
  return out.join('\n');
}

/** Per kind of commit and in total: the services that need a deploy, and each tool's selection, misses and waste. */
function selectionTable({ byKind, total }) {
  const tools = Object.keys(total.selected);
  const rows = [
    ['commits', 'n', 'need a deploy', ...tools.map((name) => `${name} selects`), 'missed', 'wasted deploys'],
  ];
  const line = (label, group) => [
    label,
    group.commits,
    group.truth,
    ...tools.map((name) => group.selected[name]),
    tools.map((name) => `${name} ${group.missed[name]}`).join(', '),
    tools.map((name) => `${name} ${group.wasted[name]}`).join(', '),
  ];
  for (const [kind, group] of Object.entries(byKind)) if (group.commits > 0) rows.push(line(kind, group));
  rows.push(line('total', total));
  return table(rows);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '2500' },
      last: { type: 'string', default: '40' },
      commits: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      'patterns-commits': { type: 'string', default: '45' },
      baseline: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const result = benchPrecision({
    size: Number(values.size),
    last: Number(values.last),
    commits: Number(values.commits),
    seed: Number(values.seed),
    keep: values.keep,
    patternsCommits: Number(values['patterns-commits']),
    baseline: values.baseline ?? null,
  });
  console.log(formatPrecision(result));
  if (values.out)
    writeFileSync(values.out, JSON.stringify({ environment: environment(), precision: result }, null, 2));
}
