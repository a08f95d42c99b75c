#!/usr/bin/env node
// Selection precision over a generated history: for each of the last N commits (base = its parent,
// head = the commit), how many services shipgraph, Nx and Turborepo select, against the services
// that truly need a deploy; per kind of commit (docs/tests only, source, root package.json). A
// selected service that needs no deploy is a wasted deploy: one whose tool finds nothing to change
// (`unchanged` in shipgraph's summary).
//
//   node tools/bench/precision.mjs [--size 2500] [--last 40] [--commits 40] [--seed 1] [--keep] [--out results.json]
//
// nx and turbo read the project graph from the checked-out files (HEAD) and the changes from git;
// the generator never changes the graph after the first commit, so HEAD's graph is every commit's.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchRepo, checkSelection, environment, missingTools, runTool, table, truthOf } from './harness.mjs';

const TOOLS = ['shipgraph', 'nx', 'turbo'];
const KINDS = ['docs-tests', 'source', 'root'];

export function benchPrecision({
  size = 2500,
  last = 40,
  commits = 40,
  seed = 1,
  keep = false,
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
    };
  } finally {
    if (!keep) repo.remove();
  }
}

export function formatPrecision(result) {
  const tools = Object.keys(result.total.selected);
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
  for (const [kind, group] of Object.entries(result.byKind))
    if (group.commits > 0) rows.push(line(kind, group));
  rows.push(line('total', result.total));
  return [
    `Selection precision, ${result.packages} packages (${result.services} services), last ${result.commits} commits, each against its parent (services summed over commits)`,
    table(rows),
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '2500' },
      last: { type: 'string', default: '40' },
      commits: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const result = benchPrecision({
    size: Number(values.size),
    last: Number(values.last),
    commits: Number(values.commits),
    seed: Number(values.seed),
    keep: values.keep,
  });
  console.log(formatPrecision(result));
  if (values.out)
    writeFileSync(values.out, JSON.stringify({ environment: environment(), precision: result }, null, 2));
}
