// What the planning and precision benchmarks share: a generated monorepo with the workspace's nx and
// turbo linked in, how each compared tool is run on a commit range, and what it selected.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectServices } from './floor.mjs';
import { generateMonorepo } from './generate.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_MODULES = join(ROOT, 'node_modules');
const SHIPGRAPH = join(ROOT, 'packages/cli/bin/shipgraph.js');
const FLOOR = fileURLToPath(new URL('./floor.mjs', import.meta.url));
const TIME = '/usr/bin/time';

/** "packages" = services + libraries, four services to one library (250 → 200 + 50). */
export function splitSize(packages) {
  const libs = Math.round(packages / 5);
  return { services: packages - libs, libs };
}

/**
 * A generated monorepo in a temporary directory, with shipgraph's node_modules linked in (nx,
 * @nx/js and turbo come from there). `remove()` deletes it.
 */
export function benchRepo({ packages, commits = 20, seed = 1, graph = 'packages', lockfile = true }) {
  const out = mkdtempSync(join(tmpdir(), `shipgraph-bench-${packages}-`));
  const repo = generateMonorepo({ out, ...splitSize(packages), commits, seed, graph, lockfile });
  symlinkSync(NODE_MODULES, join(repo.dir, 'node_modules'), 'dir');
  const services = new Set(repo.packages.filter((pkg) => pkg.kind === 'service').map((pkg) => pkg.name));
  return { ...repo, services, remove: () => rmSync(repo.dir, { recursive: true, force: true }) };
}

/**
 * The services that truly need a deploy between two commits, from the generator's graph and
 * `git diff --name-only`, with shipgraph's default input rules (docs and tests are not inputs).
 * The generator's root package.json edits change only its `description`, which deploys nothing.
 */
export function truthOf(repo, base, head) {
  const changed = execFileSync('git', ['diff', '--name-only', '--no-renames', base, head], {
    cwd: repo.dir,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((path) => path !== '');
  const packages = repo.packages.map((pkg) => ({ ...pkg, isService: pkg.kind === 'service' }));
  return { changed, services: selectServices(packages, changed) };
}

/** The environment every tool runs in: no CI variables that change shipgraph's plan, no telemetry, no daemons. */
function benchEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CODEBUILD_|GITHUB_)/.test(key) || ['STAGE', 'FORCE_DEPLOY_ALL', 'CI'].includes(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
}

const lines = (text) => text.split('\n').filter((line) => line !== '');

/**
 * The compared tools. `argv` is run from the repository root with the same base and head for
 * each; `read` turns its stdout into the projects (packages) it selected, or throws if the output
 * is not what the tool should print; `caches` are what `--cold` removes before each run.
 */
export const TOOLS = {
  shipgraph: shipgraphAt(SHIPGRAPH),
  nx: {
    argv: (base, head) => [
      'node',
      'node_modules/nx/dist/bin/nx.js',
      'show',
      'projects',
      '--affected',
      `--base=${base}`,
      `--head=${head}`,
      '--json',
    ],
    caches: ['.nx'],
    read: (stdout) => {
      const projects = JSON.parse(stdout);
      if (!Array.isArray(projects)) throw new Error('nx did not print a JSON array');
      return projects;
    },
  },
  turbo: {
    // `...[B...H]`: the packages changed between B and H, and their dependents.
    argv: (base, head) => [
      'node_modules/.bin/turbo',
      'ls',
      `--filter=...[${base}...${head}]`,
      '--output=json',
      '--no-update-notifier',
    ],
    caches: ['.turbo'],
    read: (stdout) => {
      const listed = JSON.parse(stdout);
      const items = listed.packages?.items;
      if (!Array.isArray(items) || items.length !== listed.packages.count)
        throw new Error('turbo ls did not print its package list');
      return items.map((item) => item.name);
    },
  },
  // The git reads alone; it selects nothing, so what it read is checked instead (see checkSelection).
  floor: {
    argv: (base, head) => ['node', FLOOR, '--base', base, '--head', head],
    caches: [],
    read: (stdout, repo) => {
      const read = JSON.parse(stdout);
      // Every package's manifest and the root's.
      if (read.manifests !== repo.packages.length + 1)
        throw new Error(`read ${read.manifests} manifests, the tree has ${repo.packages.length + 1}`);
      return { projects: [], changed: read.changed };
    },
  },
  // The git reads, then the dependents walked in JS: what the bench called the floor until 2026-12.
  'floor-walk': {
    argv: (base, head) => ['node', FLOOR, '--base', base, '--head', head, '--walk'],
    caches: [],
    read: (stdout) => JSON.parse(stdout).services,
  },
};

/**
 * shipgraph's `plan --json` from the binary `bin`: this checkout's, or another build's (`--baseline`,
 * e.g. the main branch's CLI built beside this one, to tell a change from the machine's mood).
 */
export function shipgraphAt(bin) {
  return {
    argv: (base, head) => ['node', bin, 'plan', '--json', '--base', base, '--head', head],
    caches: ['.shipgraph/cache'],
    read: (stdout, repo) => {
      const plan = JSON.parse(stdout);
      if (plan.services?.length !== repo.services.size)
        throw new Error(
          `plan lists ${plan.services?.length} services, the workspace has ${repo.services.size}`,
        );
      return plan.services.filter((service) => service.deploy).map((service) => service.name);
    },
  };
}

/** Which tools cannot run here (turbo is a devDependency that may not be installed yet). */
export function missingTools(names) {
  const needs = { nx: 'node_modules/nx/dist/bin/nx.js', turbo: 'node_modules/.bin/turbo' };
  return names.filter((name) => needs[name] !== undefined && !existsSync(join(ROOT, needs[name])));
}

/**
 * Runs one tool on base..head from the repository, under `/usr/bin/time -f %M` for its peak
 * resident memory. That is the largest single process of the run (a Node shim and the binary it
 * starts, or nx and its plugin workers, are not added up). Throws on a failure or unreadable
 * output, so a tool failing fast is never reported as fast.
 */
export function runTool(name, repo, base, head, { cold = false, tools = TOOLS } = {}) {
  const tool = tools[name];
  if (cold) for (const cache of tool.caches) rmSync(join(repo.dir, cache), { recursive: true, force: true });
  const argv = tool.argv(base, head);
  const started = performance.now();
  const result = spawnSync(TIME, ['-f', 'peak-kb %M', ...argv], {
    cwd: repo.dir,
    env: benchEnv(),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - started;
  const peak = /^peak-kb (\d+)$/m.exec(result.stderr ?? '');
  const fail = (why) =>
    new Error(
      `${name} on ${base.slice(0, 8)}..${head.slice(0, 8)} in ${repo.dir}: ${why}\n${tail(result.stderr)}`,
    );
  if (result.error) throw fail(result.error.message);
  if (result.status !== 0) throw fail(`exit code ${result.status}`);
  let read;
  try {
    read = tool.read(result.stdout, repo);
  } catch (error) {
    throw fail(`unreadable output (${error.message})`);
  }
  const projects = Array.isArray(read) ? read : read.projects;
  const services = projects.filter((project) => repo.services.has(project)).sort();
  return {
    ms,
    peakKb: peak === null ? null : Number(peak[1]),
    projects: projects.length,
    services,
    changed: Array.isArray(read) ? null : read.changed,
  };
}

const tail = (text = '') => lines(text).slice(-15).join('\n');

/**
 * Checks that a run selected what it must: shipgraph (a baseline build too) and floor-walk exactly the truth (they follow
 * the same input rules); nx and turbo, which count docs and tests as inputs, at least the truth. The
 * floor selects nothing: it must have seen every changed file.
 */
export function checkSelection(name, run, truth) {
  if (name === 'floor') {
    if (run.changed !== truth.changed.length)
      throw new Error(`floor saw ${run.changed} changed files, expected ${truth.changed.length}`);
    return;
  }
  const selected = new Set(run.services);
  const missed = truth.services.filter((service) => !selected.has(service));
  const exact = name === 'shipgraph' || name === 'baseline' || name === 'floor-walk';
  if (missed.length > 0 || (exact && run.services.length !== truth.services.length)) {
    throw new Error(
      `${name} selected ${run.services.length} services, expected ${exact ? '' : 'at least '}${truth.services.length}` +
        (missed.length > 0 ? `; missed ${missed.slice(0, 5).join(', ')}` : ''),
    );
  }
}

export const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Versions and machine, for the JSON results. */
export function environment() {
  const version = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(NODE_MODULES, pkg, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
    shipgraph: version('shipgraph'),
    nx: version('nx'),
    turbo: version('turbo'),
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg().map((load) => +load.toFixed(2)),
  };
}

/** Whether auto graph mode really asked nx: it caches nx's graph under .shipgraph/cache. */
export const nxGraphCached = (repo) =>
  existsSync(join(repo.dir, '.shipgraph/cache')) &&
  readdirSync(join(repo.dir, '.shipgraph/cache')).some((entry) => entry.startsWith('nx-graph-'));

/** Left-pads each cell to its column's width: a plain-text table for the terminal. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
        .join('  '),
    )
    .join('\n');
}
