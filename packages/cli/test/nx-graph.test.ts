// The Nx graph source: a real Nx integrated workspace, read by the workspace's own nx, and its cache.
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isShipgraphError, type HeadFile, type ShipgraphError } from '@shipgraph/core';
import {
  nxGraphCacheKey,
  nxInputs,
  readNxProjectGraph,
  workspaceFromNxGraph,
  type NxGraph,
  type NxGraphResult,
} from '../src/workspace/nx-graph.js';
import { headFiles, nxWorkspace } from './helpers/nx-workspace.js';
import { tempDir, type TestRepo } from './helpers/repo.js';

const cacheDirOf = (repo: TestRepo): string => join(repo.dir, '.shipgraph', 'cache');

const readGraph = (repo: TestRepo, { useCache = true } = {}): Promise<NxGraphResult> =>
  readNxProjectGraph({
    root: repo.dir,
    files: headFiles(repo),
    cacheDir: cacheDirOf(repo),
    env: process.env,
    useCache,
  });

const cacheEntries = (repo: TestRepo): string[] =>
  existsSync(cacheDirOf(repo))
    ? readdirSync(cacheDirOf(repo))
        .filter((name) => name.startsWith('nx-graph-'))
        .sort()
    : [];

async function failureOf(promise: Promise<unknown>): Promise<ShipgraphError<string>> {
  try {
    await promise;
  } catch (error) {
    if (isShipgraphError(error)) return error;
    throw error;
  }
  throw new Error('expected a ShipgraphError, but it succeeded');
}

const WORKSPACE_GRAPH: NxGraph = {
  projects: [
    { name: 'billing', root: 'apps/billing' },
    { name: 'catalog', root: 'apps/catalog' },
    { name: 'money', root: 'libs/money' },
    { name: 'orders-api', root: 'apps/orders-api' },
    { name: 'orders-domain', root: 'libs/orders-domain' },
  ],
  dependencies: [
    { source: 'billing', target: 'money', type: 'static' },
    { source: 'orders-api', target: 'orders-domain', type: 'static' },
    { source: 'orders-domain', target: 'money', type: 'static' },
  ],
};

describe('readNxProjectGraph', () => {
  test('reads the edges Nx infers from imports through tsconfig path aliases', async () => {
    const repo = nxWorkspace();

    const result = await readGraph(repo);

    expect(result.cache).toBe('miss');
    expect(result.graph).toEqual(WORKSPACE_GRAPH);
    expect(result.key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheEntries(repo)).toEqual([`nx-graph-${result.key}.json`]);
    // nx kept its own data in our cache directory: nothing new in the workspace, not even an ignored .nx/.
    expect(repo.git('status', '--porcelain', '--ignored', '--', '.', ':!node_modules', ':!.shipgraph')).toBe(
      '',
    );
    expect(existsSync(join(repo.dir, '.nx'))).toBe(false);
  });

  test('maps the graph to the workspace planning works on', () => {
    const services = new Set(['orders-api', 'billing', 'catalog']);

    const workspace = workspaceFromNxGraph(WORKSPACE_GRAPH, (project) => services.has(project.name));

    expect(workspace).toEqual({
      packages: [
        {
          name: 'billing',
          dir: 'apps/billing',
          isService: true,
          dependsOn: [{ name: 'money', source: 'nx-graph' }],
        },
        { name: 'catalog', dir: 'apps/catalog', isService: true, dependsOn: [] },
        { name: 'money', dir: 'libs/money', isService: false, dependsOn: [] },
        {
          name: 'orders-api',
          dir: 'apps/orders-api',
          isService: true,
          dependsOn: [{ name: 'orders-domain', source: 'nx-graph' }],
        },
        {
          name: 'orders-domain',
          dir: 'libs/orders-domain',
          isService: false,
          dependsOn: [{ name: 'money', source: 'nx-graph' }],
        },
      ],
      sources: ['nx projects'],
    });
  });

  test('leaves out a project at the workspace root and the edges to it, and merges edges of each kind', () => {
    const graph: NxGraph = {
      projects: [
        { name: 'acme', root: '.' },
        { name: 'api', root: 'apps/api' },
        { name: 'util', root: 'libs/util' },
      ],
      dependencies: [
        { source: 'api', target: 'acme', type: 'static' },
        { source: 'api', target: 'util', type: 'dynamic' },
        { source: 'api', target: 'util', type: 'implicit' },
        { source: 'api', target: 'util', type: 'static' },
      ],
    };

    const workspace = workspaceFromNxGraph(graph, (project) => project.root.startsWith('apps/'));

    expect(workspace.packages).toEqual([
      { name: 'api', dir: 'apps/api', isService: true, dependsOn: [{ name: 'util', source: 'nx-graph' }] },
      { name: 'util', dir: 'libs/util', isService: false, dependsOn: [] },
    ]);
  });

  test('reads the graph from the cache, without nx, while the files it depends on are the same', async () => {
    const repo = nxWorkspace();
    const first = await readGraph(repo);

    const second = await readGraph(repo);
    expect(second).toEqual({ ...first, cache: 'hit' });

    // A file Nx does not read keeps the key.
    repo.write({ 'README.md': '# acme\n', 'apps/catalog/serverless.yml': 'service: catalog-v2\n' });
    repo.commit('docs');
    const third = await readGraph(repo);
    expect(third.cache).toBe('hit');

    // A different answer in the entry proves the hit came from it and not from running nx again.
    const entry = join(cacheDirOf(repo), `nx-graph-${first.key}.json`);
    const stored = JSON.parse(readFileSync(entry, 'utf8')) as NxGraph;
    writeFileSync(entry, JSON.stringify({ ...stored, dependencies: [] }));
    const tampered = await readGraph(repo);
    expect(tampered).toEqual({
      graph: { ...WORKSPACE_GRAPH, dependencies: [] },
      cache: 'hit',
      key: first.key,
    });
  });

  test('runs nx again when a committed import adds an edge', async () => {
    const repo = nxWorkspace();
    const before = await readGraph(repo);

    repo.write({
      'apps/catalog/src/handler.ts':
        "import { cents } from '@acme/money';\n\nexport const handler = async () => ({ statusCode: 200, body: `${cents(2)}` });\n",
    });
    repo.commit('catalog prices in cents');
    const after = await readGraph(repo);

    expect(after.cache).toBe('miss');
    expect(after.key).not.toBe(before.key);
    expect(after.graph.dependencies).toEqual([
      { source: 'billing', target: 'money', type: 'static' },
      { source: 'catalog', target: 'money', type: 'static' },
      { source: 'orders-api', target: 'orders-domain', type: 'static' },
      { source: 'orders-domain', target: 'money', type: 'static' },
    ]);
    expect(cacheEntries(repo)).toEqual([`nx-graph-${before.key}.json`, `nx-graph-${after.key}.json`].sort());
  });

  test('runs nx again when a file only a local plugin reads gains a dependency', async () => {
    // A local plugin, as teams write them: a service's serverless.yml names what it calls.
    const plugin = `const { readFileSync } = require('node:fs');
const { join } = require('node:path');
exports.createDependencies = (_options, context) =>
  Object.entries(context.projects).flatMap(([name, project]) => {
    let text = '';
    try {
      text = readFileSync(join(context.workspaceRoot, project.root, 'serverless.yml'), 'utf8');
    } catch {
      return [];
    }
    return [...text.matchAll(/^# calls: (\\S+)$/gm)].map((found) => ({ source: name, target: found[1], type: 'implicit' }));
  });
`;
    const repo = nxWorkspace().write({
      'nx.json': { plugins: ['@nx/js', './tools/serverless-calls.cjs'] },
      'tools/serverless-calls.cjs': plugin,
    });
    repo.commit('infer calls from serverless.yml');
    const before = await readGraph(repo);
    expect(before.graph.dependencies).not.toContainEqual({
      source: 'catalog',
      target: 'billing',
      type: 'implicit',
    });

    repo.write({ 'apps/catalog/serverless.yml': 'service: catalog\n# calls: billing\n' });
    repo.commit('catalog calls billing');
    const after = await readGraph(repo);
    expect(after.cache).toBe('miss');
    expect(after.graph.dependencies).toContainEqual({
      source: 'catalog',
      target: 'billing',
      type: 'implicit',
    });
  });

  test('finds a new import in a file rewritten with the same size and modification time', async () => {
    // As a checkout or a script does that rewrites a file within the second nx last read it.
    const handler = 'apps/catalog/src/handler.ts';
    const tail = 'export const handler = async () => ({ statusCode: 200 });\n';
    const before = `// import { cents } from '@acme/money';\n${tail}`;
    const after = `import { cents } from '@acme/money'; //\n${tail}`;
    const catalogToMoney = { source: 'catalog', target: 'money', type: 'static' };
    const repo = nxWorkspace().write({ [handler]: before });
    repo.commit('catalog will price in cents');
    const file = join(repo.dir, handler);
    const { mtime } = statSync(file);
    await readGraph(repo);
    // The first run makes nx's workspace data folder; the second finds it and leaves nx's file hashes
    // there, as one plan does for the next.
    const warm = await readGraph(repo, { useCache: false });
    expect(warm.graph.dependencies).not.toContainEqual(catalogToMoney);
    expect(existsSync(join(cacheDirOf(repo), 'nx-workspace-data', 'nx_files.nxt'))).toBe(true);

    writeFileSync(file, after);
    utimesSync(file, mtime, mtime);
    repo.commit('catalog prices in cents');
    expect(statSync(file)).toMatchObject({ size: before.length, mtime });
    const result = await readGraph(repo);

    expect(result.cache).toBe('miss');
    expect(result.graph.dependencies).toContainEqual(catalogToMoney);
  });

  test('keeps the three newest cache entries and nothing else of its own', async () => {
    const repo = nxWorkspace();
    const cacheDir = cacheDirOf(repo);
    repo.write({ '.shipgraph/cache/unrelated.json': '{}' });
    const stale = ['a', 'b', 'c', 'd'].map((letter, age) => {
      const name = `nx-graph-${letter.repeat(64)}.json`;
      repo.write({ [`.shipgraph/cache/${name}`]: JSON.stringify({ projects: [], dependencies: [] }) });
      const daysAgo = new Date(Date.now() - (age + 1) * 86_400_000);
      utimesSync(join(cacheDir, name), daysAgo, daysAgo);
      return name;
    });

    const { key } = await readGraph(repo);

    expect(cacheEntries(repo)).toEqual([stale[0], stale[1], `nx-graph-${key}.json`].sort());
    expect(existsSync(join(cacheDir, 'unrelated.json'))).toBe(true);
  });

  test('E_NX_MISSING when the workspace has no nx installed', async () => {
    const repo = nxWorkspace({ withNx: false });

    const error = await failureOf(readGraph(repo));

    expect(error.code).toBe('E_NX_MISSING');
    expect(error.message).toMatchInlineSnapshot(
      `"nx is not installed in the workspace (no node_modules/nx), so it cannot give the project graph"`,
    );
    expect(error.hint).toMatchInlineSnapshot(
      `"install the workspace's dependencies first (npm ci); without nx among them, add nx and @nx/js as devDependencies, or set "graph": "packages" in shipgraph.config.json"`,
    );
    expect(cacheEntries(repo)).toEqual([]);
  });

  test("E_NX with nx's own message when nx fails", async () => {
    const repo = nxWorkspace();
    repo.write({ 'nx.json': '{ "plugins": ["@nx/js"\n' });
    repo.commit('broken nx.json');

    const error = await failureOf(readGraph(repo));

    expect(error.code).toBe('E_NX');
    expect(error.message).toMatchInlineSnapshot(
      `"nx graph failed (exit code 1): CloseBracketExpected in nx.json at 2:1"`,
    );
    expect(error.message).not.toContain(repo.dir);
    expect(cacheEntries(repo)).toEqual([]);
  });

  test('E_NX naming the plugin nx cannot load', async () => {
    const repo = nxWorkspace();
    repo.write({ 'nx.json': { plugins: ['@nx/js', '@acme/nx-plugin'] } });
    repo.commit('a plugin that is not installed');

    const error = await failureOf(readGraph(repo));

    expect(error.code).toBe('E_NX');
    expect(error.message).toMatchInlineSnapshot(
      `"nx graph failed (exit code 1): Plugin listed in \`nx.json\` not found: @acme/nx-plugin; Failed to load 1 Nx plugin(s): - @acme/nx-plugin: Could not load plugin @acme/nx-plugin"`,
    );
  });
});

describe('nxGraphCacheKey', () => {
  const files: HeadFile[] = [
    { path: 'nx.json', oid: '1'.repeat(40) },
    { path: 'apps/api/src/main.ts', oid: '2'.repeat(40) },
    { path: 'README.md', oid: '3'.repeat(40) },
  ];
  const key = nxGraphCacheKey(files, '23.2.1');
  const withFile = (path: string): string =>
    nxGraphCacheKey([...files, { path, oid: 'f'.repeat(40) }], '23.2.1');

  test('does not depend on the order of the files', () => {
    expect(nxGraphCacheKey([...files].reverse(), '23.2.1')).toBe(key);
  });

  test('changes with the nx version and with the blob of a file Nx reads', () => {
    expect(nxGraphCacheKey(files, '23.2.2')).not.toBe(key);
    expect(nxGraphCacheKey([{ path: 'nx.json', oid: '4'.repeat(40) }, ...files.slice(1)], '23.2.1')).not.toBe(
      key,
    );
  });

  test.each([
    'libs/util/project.json',
    'libs/util/package.json',
    'tsconfig.base.json',
    'apps/api/tsconfig.app.json',
    'package-lock.json',
    'pnpm-lock.yaml',
    'yarn.lock',
    '.gitignore',
    '.nxignore',
    'libs/util/src/index.tsx',
    'libs/util/src/legacy.cjs',
    'libs/util/src/esm.mts',
    'libs/util/src/view.vue',
    'libs/util/.eslintrc.json',
  ])('changes when %s is added', (path) => {
    expect(withFile(path)).not.toBe(key);
  });

  test.each([
    'docs/guide.md',
    'apps/api/serverless.yml',
    'libs/util/assets/logo.png',
    'node_modules/left-pad/index.js',
    'libs/util/node_modules/x/package.json',
  ])('stays the same when %s is added', (path) => {
    expect(withFile(path)).toBe(key);
  });
});

describe("nxInputs: the files that key the graph follow nx.json's plugins", () => {
  const inputsWith = (nxJson: object | null) => {
    const dir = tempDir();
    if (nxJson !== null) writeFileSync(join(dir, 'nx.json'), JSON.stringify(nxJson));
    return nxInputs(dir);
  };

  test('with no plugins, or only official ones whose inputs are sources and JSON configs, nxReads decides', async () => {
    for (const nxJson of [
      null,
      {},
      { plugins: ['@nx/js/typescript', { plugin: '@nx/vite/plugin', options: {} }] },
    ]) {
      const reads = await inputsWith(nxJson);
      expect(reads('apps/api/serverless.yml'), JSON.stringify(nxJson)).toBe(false);
      expect(reads('apps/api/src/main.ts'), JSON.stringify(nxJson)).toBe(true);
    }
  });

  test('with a local or third-party plugin, which may infer from any file, every file counts', async () => {
    for (const plugin of ['./tools/serverless-projects', 'nx-serverless', { plugin: '@nx/gradle' }]) {
      const reads = await inputsWith({ plugins: ['@nx/js/typescript', plugin] });
      expect(reads('apps/api/serverless.yml'), JSON.stringify(plugin)).toBe(true);
      expect(reads('docs/guide.md'), JSON.stringify(plugin)).toBe(true);
      expect(reads('node_modules/left-pad/index.js'), JSON.stringify(plugin)).toBe(false);
    }
  });

  test('so the cache key changes with a serverless.yml only when such a plugin is there', async () => {
    const files: HeadFile[] = [{ path: 'nx.json', oid: '1'.repeat(40) }];
    const edited: HeadFile[] = [...files, { path: 'apps/api/serverless.yml', oid: '2'.repeat(40) }];
    const known = await inputsWith({ plugins: ['@nx/js/typescript'] });
    expect(nxGraphCacheKey(edited, '23.2.1', known)).toBe(nxGraphCacheKey(files, '23.2.1', known));
    const local = await inputsWith({ plugins: ['./tools/serverless-projects'] });
    expect(nxGraphCacheKey(edited, '23.2.1', local)).not.toBe(nxGraphCacheKey(files, '23.2.1', local));
  });
});
