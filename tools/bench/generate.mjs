#!/usr/bin/env node
// Generates a deterministic synthetic serverless monorepo with a git history, for the benchmarks
// against Nx and Turborepo and for tests that check shipgraph's selection over a real history.
//
//   node tools/bench/generate.mjs --out DIR [--services 200] [--libs 50] [--commits 20] [--seed 1]
//                                 [--graph packages|auto] [--no-lockfile] [--package-manager npm|yarn1|berry] [--json]
//
// The layout and the dependency graph are those of shared/bench/make-monorepo.mjs (same generator,
// same draws: the same seed gives the same graph): npm workspaces `libs/*` and `services/*`,
// libraries depend on lower-numbered libraries, services on libraries and, sparsely, on
// lower-numbered services; one serverless.yml per service. The differences:
// - the first commit also holds what the compared tools need, so no later commit changes it:
//   `turbo.json`, the root `packageManager`, `nx.json`, a package-lock.json (as npm writes it for
//   these workspaces) and, unless `graph` is 'auto', a shipgraph.config.json with "graph": "packages";
// - libraries have tests and READMEs too, and later commits touch them as well as services';
// - the history is written with `git fast-import` (one pack, as in a clone), with fixed dates;
// - with a yarn package manager (yarn 1 or berry), packages also depend on external packages (which
//   depend on each other), the root on its deploy tooling, and some commits bump an external
//   package in yarn.lock alone. Those draws come from a second random stream, so the graph and the
//   other changes are the same as with npm.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHistory } from './history.mjs';
import { yarnBerryLock, yarnClassicLock } from './lockfiles.mjs';

/** Accepted by turbo 2.10+, which refuses a workspace without an exact `packageManager`. */
export const PACKAGE_MANAGER = 'npm@11.19.1';
export const SCOPE = '@acme';
const WORKSPACES = ['libs/*', 'services/*'];

const pad = (i) => String(i).padStart(4, '0');
const libName = (i) => `lib-${pad(i)}`;
const svcName = (i) => `svc-${pad(i)}`;
const json = (value) => JSON.stringify(value, null, 2) + '\n';

/** mulberry32, as in make-monorepo.mjs: a seeded stream of numbers in [0, 1). */
export function randomFrom(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTERNALS = 30;
const extName = (i) => `ext-${String(i).padStart(2, '0')}`;
/** The root's deploy tooling (as the Serverless Framework would be), in yarn repositories. */
export const TOOL = 'sls-tool';

/** What a path is, for the commit kinds: documentation, tests, the root manifest, the lockfile, or source. */
export function fileKind(path) {
  if (path === 'package.json') return 'root';
  if (path === 'yarn.lock') return 'lockfile';
  if (path.endsWith('.md')) return 'docs';
  if (/\.test\.[^/]+$/.test(path)) return 'tests';
  return 'source';
}

/**
 * A commit's kind: 'root' if it touches the root package.json, else 'source' if any source, else
 * 'lockfile' if it bumps yarn.lock, else 'docs-tests'.
 */
export function commitKind(paths) {
  const kinds = new Set(paths.map(fileKind));
  if (kinds.has('root')) return 'root';
  if (kinds.has('source')) return 'source';
  if (kinds.has('lockfile')) return 'lockfile';
  return 'docs-tests';
}

/**
 * Writes the monorepo into `out` (created; must be empty) and returns its packages (with their
 * direct workspace dependencies) and its commits, oldest first.
 */
export function generateMonorepo({
  out,
  services = 200,
  libs = 50,
  commits = 20,
  seed = 1,
  graph = 'packages',
  lockfile = true,
  packageManager = 'npm',
  deployTimeEdges = 0,
}) {
  if (!out) throw new Error('generateMonorepo: `out` is required');
  if (!(services >= 1 && libs >= 0 && commits >= 0))
    throw new Error('generateMonorepo: services must be at least 1, libs and commits at least 0');
  if (graph !== 'packages' && graph !== 'auto')
    throw new Error(`graph must be packages or auto, not ${graph}`);
  if (!['npm', 'yarn1', 'berry'].includes(packageManager))
    throw new Error(`packageManager must be npm, yarn1 or berry, not ${packageManager}`);
  const yarn = packageManager !== 'npm';
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new Error(`refusing to write into non-empty ${out}`);
  const dir = resolve(out);
  const random = randomFrom(seed);
  const pick = (n) => Math.floor(random() * n);
  const pickSome = (n, max) => [...new Set(Array.from({ length: pick(max + 1) }, () => pick(n)))];
  // External packages: their own stream, so that npm repositories keep the draws of make-monorepo.
  const externalRandom = randomFrom(seed + 7919);
  const pickExternal = (n) => Math.floor(externalRandom() * n);
  const externals = Array.from({ length: yarn ? EXTERNALS : 0 }, (_, i) => ({
    name: extName(i),
    version: 1,
    deps: i === 0 || externalRandom() < 0.5 ? [] : [extName(pickExternal(i))],
  }));
  // Which service-to-service edges only read outputs at deploy time (config dependsOn, not package.json):
  // a stream of their own too, so the graph and the other changes stay as make-monorepo draws them.
  const deployTimeRandom = randomFrom(seed + 104_729);
  const externalsOf = () =>
    yarn
      ? [...new Set(Array.from({ length: pickExternal(3) }, () => extName(pickExternal(EXTERNALS))))].sort()
      : [];

  const files = new Map();
  const packages = [];
  const rootManifest = (description) => ({
    name: 'acme',
    private: true,
    ...(description === undefined ? {} : { description }),
    packageManager: yarn ? (packageManager === 'yarn1' ? 'yarn@1.22.22' : 'yarn@4.5.3') : PACKAGE_MANAGER,
    workspaces: WORKSPACES,
    ...(yarn ? { devDependencies: { [TOOL]: '^1.0.0' } } : {}),
  });
  files.set('package.json', json(rootManifest()));
  files.set('nx.json', json({ $schema: './node_modules/nx/schemas/nx-schema.json' }));
  files.set(
    'turbo.json',
    json({ $schema: 'https://turborepo.com/schema.json', tasks: { build: { outputs: [] } } }),
  );
  // No trailing slash: a node_modules symlink (how the benchmark provides nx and turbo) is ignored too.
  files.set('.gitignore', 'node_modules\n.nx\n.turbo\n.shipgraph\n');
  const configured = {};

  // The same draws, in the same order, as make-monorepo.mjs: the same seed gives the same graph.
  for (let i = 0; i < libs; i++) {
    const deps = (i === 0 ? [] : pickSome(i, 3)).map((d) => `${SCOPE}/${libName(d)}`);
    const external = externalsOf();
    const path = `libs/${libName(i)}`;
    packages.push({
      name: `${SCOPE}/${libName(i)}`,
      dir: path,
      kind: 'lib',
      deps,
      deployTimeDeps: [],
      externals: external,
    });
    files.set(
      `${path}/package.json`,
      json({
        name: `${SCOPE}/${libName(i)}`,
        version: '1.0.0',
        main: 'src/index.js',
        dependencies: dependenciesOf(deps, external, packageManager),
      }),
    );
    files.set(`${path}/src/index.js`, `export const id = '${libName(i)}';\n// revision 0\n`);
    files.set(`${path}/src/index.test.js`, `// tests for ${libName(i)}\n`);
    files.set(`${path}/README.md`, `# ${libName(i)}\n`);
  }
  for (let i = 0; i < services; i++) {
    const libDeps = libs ? pickSome(libs, 4) : [];
    const svcDeps = i > 0 && random() < 0.15 ? pickSome(i, 2) : [];
    const deployTime = svcDeps
      .filter(() => deployTimeEdges > 0 && deployTimeRandom() < deployTimeEdges)
      .map((d) => `${SCOPE}/${svcName(d)}`);
    const deps = [
      ...libDeps.map((d) => `${SCOPE}/${libName(d)}`),
      ...svcDeps.map((d) => `${SCOPE}/${svcName(d)}`).filter((name) => !deployTime.includes(name)),
    ];
    const external = externalsOf();
    const path = `services/${svcName(i)}`;
    packages.push({
      name: `${SCOPE}/${svcName(i)}`,
      dir: path,
      kind: 'service',
      deps,
      deployTimeDeps: deployTime,
      externals: external,
    });
    if (deployTime.length > 0) configured[`${SCOPE}/${svcName(i)}`] = { dependsOn: deployTime };
    files.set(
      `${path}/package.json`,
      json({
        name: `${SCOPE}/${svcName(i)}`,
        version: '1.0.0',
        private: true,
        scripts: { deploy: 'serverless deploy' },
        dependencies: dependenciesOf(deps, external, packageManager),
      }),
    );
    files.set(
      `${path}/serverless.yml`,
      `service: ${svcName(i)}\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  handler:\n    handler: src/handler.handler\n`,
    );
    files.set(
      `${path}/src/handler.js`,
      `export const handler = async () => ({ statusCode: 200, body: '${svcName(i)}' });\n// revision 0\n`,
    );
    files.set(`${path}/src/handler.test.js`, `// tests for ${svcName(i)}\n`);
    files.set(`${path}/README.md`, `# ${svcName(i)}\n`);
  }
  const dependsOn = Object.keys(configured).length > 0 ? { services: configured } : {};
  if (graph === 'packages' || Object.keys(configured).length > 0)
    files.set(
      'shipgraph.config.json',
      json({ ...(graph === 'packages' ? { graph: 'packages' } : {}), ...dependsOn }),
    );
  const tool = { name: TOOL, version: 1, deps: yarn ? [extName(0)] : [] };
  const writeYarnLock = () =>
    files.set('yarn.lock', yarnLockfile(packageManager, packages, [...externals, tool]));
  if (lockfile && yarn) writeYarnLock();
  else if (lockfile) files.set('package-lock.json', json(npmLockfile(packages)));

  const written = [];
  const commitCommand = (message, changed) =>
    written.push({ message, files: changed.map((path) => [path, files.get(path)]) });
  commitCommand('initial', [...files.keys()].sort());
  const history = [{ message: 'initial', files: [...files.keys()].sort(), kind: 'initial' }];

  // make-monorepo's touches, plus library READMEs and tests.
  const touches = [
    () => `libs/${libName(pick(libs))}/src/index.js`,
    () => `services/${svcName(pick(services))}/src/handler.js`,
    () => `services/${svcName(pick(services))}/src/handler.js`,
    () => `services/${svcName(pick(services))}/README.md`,
    () => `services/${svcName(pick(services))}/src/handler.test.js`,
    () => `libs/${libName(pick(libs))}/README.md`,
    () => `libs/${libName(pick(libs))}/src/index.test.js`,
  ];
  const kinds = libs ? touches : touches.slice(1, 5);
  for (let c = 1; c <= commits; c++) {
    const changed = new Set();
    const n = 1 + pick(3);
    for (let k = 0; k < n; k++) {
      const path = kinds[pick(kinds.length)]();
      const revision = path.endsWith('.md') ? `\nrevision ${c}\n` : `// revision ${c}\n`;
      files.set(path, files.get(path) + revision);
      changed.add(path);
    }
    if (random() < 0.05) {
      files.set('package.json', json(rootManifest(`rev ${c}`)));
      changed.add('package.json');
    }
    // A lockfile-only bump of an external package (rarely the root's tooling), as renovate makes them.
    const bumped = [];
    if (yarn && lockfile && externalRandom() < 0.35) {
      const target = externalRandom() < 0.1 ? tool : externals[pickExternal(EXTERNALS)];
      target.version++;
      bumped.push(target.name);
      writeYarnLock();
      changed.add('yarn.lock');
    }
    const paths = [...changed].sort();
    commitCommand(`change ${c}`, paths);
    history.push({ message: `change ${c}`, files: paths, kind: commitKind(paths), bumped });
  }
  const shas = writeHistory(dir, written);
  return {
    dir,
    packages,
    externals: Object.fromEntries([...externals, tool].map((pkg) => [pkg.name, pkg.deps])),
    commits: history.map((commit, i) => ({
      sha: shas[i],
      parent: i === 0 ? null : shas[i - 1],
      bumped: [],
      ...commit,
    })),
  };
}

/** A package's dependencies: workspace ones (`*`, or berry's `workspace:*`) and external ones (`^1.0.0`). */
function dependenciesOf(deps, externals, packageManager) {
  const workspace = packageManager === 'berry' ? 'workspace:*' : '*';
  return Object.fromEntries([
    ...deps.map((d) => [d, workspace]),
    ...externals.map((name) => [name, '^1.0.0']),
  ]);
}

/** yarn.lock for the packages' external dependencies at their current versions. */
function yarnLockfile(packageManager, packages, externals) {
  const locked = externals.map((pkg) => ({
    name: pkg.name,
    ranges: ['^1.0.0'],
    version: `1.0.${pkg.version}`,
    dependencies: Object.fromEntries(pkg.deps.map((dep) => [dep, '^1.0.0'])),
  }));
  if (packageManager === 'yarn1') return yarnClassicLock(locked);
  const workspaces = [
    { dir: '', name: 'acme', dependencies: { [TOOL]: '^1.0.0' } },
    ...packages.map((pkg) => ({
      dir: pkg.dir,
      name: pkg.name,
      dependencies: dependenciesOf(pkg.deps, pkg.externals, 'berry'),
    })),
  ];
  return yarnBerryLock(workspaces, locked);
}

/** The package-lock.json (v3) npm writes for these workspaces: no external packages, one link each. */
function npmLockfile(packages) {
  const entries = { '': { name: 'acme', workspaces: WORKSPACES } };
  const sorted = [...packages].sort((a, b) => (a.dir < b.dir ? -1 : 1));
  for (const pkg of sorted) {
    entries[pkg.dir] = {
      name: pkg.name,
      version: '1.0.0',
      ...(pkg.deps.length === 0 ? {} : { dependencies: Object.fromEntries(pkg.deps.map((d) => [d, '*'])) }),
    };
  }
  for (const pkg of [...packages].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    entries[`node_modules/${pkg.name}`] = { resolved: pkg.dir, link: true };
  }
  // npm orders the keys: "" first, then by path.
  const ordered = Object.fromEntries(
    Object.entries(entries).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
  );
  return { name: 'acme', lockfileVersion: 3, requires: true, packages: ordered };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      services: { type: 'string', default: '200' },
      libs: { type: 'string', default: '50' },
      commits: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      graph: { type: 'string', default: 'packages' },
      'no-lockfile': { type: 'boolean', default: false },
      'package-manager': { type: 'string', default: 'npm' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.out) {
    (values.help ? console.log : console.error)(
      'usage: generate.mjs --out DIR [--services N] [--libs N] [--commits N] [--seed N] [--graph packages|auto] [--no-lockfile] [--package-manager npm|yarn1|berry] [--json]',
    );
    process.exit(values.help ? 0 : 2);
  }
  const started = performance.now();
  let repo;
  try {
    repo = generateMonorepo({
      out: values.out,
      services: Number(values.services),
      libs: Number(values.libs),
      commits: Number(values.commits),
      seed: Number(values.seed),
      graph: values.graph,
      lockfile: !values['no-lockfile'],
      packageManager: values['package-manager'],
    });
  } catch (error) {
    console.error(`generate.mjs: ${error.message}`);
    process.exit(2);
  }
  if (values.json) console.log(JSON.stringify(repo, null, 2));
  else
    console.log(
      `${repo.dir}: ${values.libs} libs, ${values.services} services, ${repo.commits.length} commits (${Math.round(performance.now() - started)} ms)`,
    );
}
