// The project graph of an Nx workspace, from the workspace's own nx, cached by the files it depends on.
import { createHash, randomUUID } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  type EdgeSource,
  type HeadFile,
  type PackageName,
  type RepoPath,
  type Workspace,
  type WorkspacePackage,
} from '@shipgraph/core';
import { parse as parseJsonc } from 'jsonc-parser';
import { CliError } from '../errors.js';

export interface NxProject {
  name: PackageName;
  /** Relative to the repository root; `.` for a project at the root. */
  root: RepoPath;
}

/** How Nx found the edge: an import, a dynamic `import()`, or `implicitDependencies`. */
export type NxDependencyType = 'static' | 'dynamic' | 'implicit';

export interface NxDependency {
  source: PackageName;
  target: PackageName;
  type: NxDependencyType;
}

/** Projects and the edges between them; npm packages are left out. Both lists are sorted. */
export interface NxGraph {
  projects: NxProject[];
  dependencies: NxDependency[];
}

/** The nx a workspace has installed. */
export interface NxInstall {
  /** Its CLI script, run with `process.execPath`. */
  bin: string;
  version: string;
}

export interface NxGraphOptions {
  /** The workspace root. nx reads its working tree, which must hold the commit `files` lists. */
  root: string;
  /** Every file of that commit with its blob id, as `git ls-tree -r` lists them. */
  files: readonly HeadFile[];
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  /** False when the working tree differs from `files` in something Nx reads: its graph is not theirs. */
  useCache?: boolean;
  /** Which files Nx reads for the graph: they key the cache. Default nxInputs(root). */
  reads?: (path: RepoPath) => boolean;
}

export interface NxGraphResult {
  graph: NxGraph;
  cache: 'hit' | 'miss' | 'off';
  key: string;
}

// Where nx looks for itself, in its order: the `nx init` wrapper's install first, then the workspace's.
const NX_LOCATIONS = ['.nx/installation/node_modules/nx', 'node_modules/nx'];
const KEY_FORMAT = 'shipgraph-nx-graph/1';
const ENTRY = /^nx-graph-[0-9a-f]{64}\.json$/;
// A branch switch back and forth hits; any source change makes a new key, so more entries rarely help.
const KEEP_ENTRIES = 3;
const NX_TIMEOUT_MS = 10 * 60_000;

/** The nx installed in the workspace at `root`, or null; the nx shipgraph itself may have is never used. */
export async function findWorkspaceNx(root: string): Promise<NxInstall | null> {
  for (const location of NX_LOCATIONS) {
    const dir = join(root, location);
    let manifest: { version?: unknown; bin?: unknown };
    try {
      manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      continue;
    }
    const bin =
      typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin as Record<string, unknown> | null)?.nx;
    if (typeof bin === 'string' && typeof manifest.version === 'string') {
      return { bin: join(dir, bin), version: manifest.version };
    }
  }
  return null;
}

/** Runs the workspace's `nx graph`, or reads the graph cached for the same inputs and nx version. */
export async function readNxProjectGraph(options: NxGraphOptions): Promise<NxGraphResult> {
  const nx = await findWorkspaceNx(options.root);
  if (nx === null) {
    throw new CliError(
      'E_NX_MISSING',
      'nx is not installed in the workspace (no node_modules/nx), so it cannot give the project graph',
      {
        hint: 'install the workspace\'s dependencies first (npm ci); without nx among them, add nx and @nx/js as devDependencies, or set "graph": "packages" in shipgraph.config.json',
      },
    );
  }
  const cacheDir = resolve(options.cacheDir);
  const key = nxGraphCacheKey(options.files, nx.version, options.reads ?? (await nxInputs(options.root)));
  const entry = join(cacheDir, `nx-graph-${key}.json`);
  const useCache = options.useCache ?? true;
  const cached = useCache ? await readCachedGraph(entry) : null;
  if (cached !== null) return { graph: cached, cache: 'hit', key };

  // nx runs in (and names files by) the real path, so its messages shorten against that one.
  const graph = await runNxGraph(nx, await realpath(options.root), cacheDir, options.env);
  if (!useCache) return { graph, cache: 'off', key };
  await storeGraph(cacheDir, entry, graph);
  return { graph, cache: 'miss', key };
}

/**
 * A hash of everything the graph can depend on: nx's version and the blob id of every file Nx reads to
 * find projects (nx.json, project.json, package.json, workspace and lock files), to resolve imports
 * (tsconfig*.json) and to find imports (sources), plus the ignore files that decide which files it sees.
 */
export function nxGraphCacheKey(
  files: readonly HeadFile[],
  nxVersion: string,
  reads: (path: RepoPath) => boolean = nxReads,
): string {
  const hash = createHash('sha256').update(`${KEY_FORMAT}\0nx@${nxVersion}\0`);
  const inputs = files.filter((file) => reads(file.path)).sort((a, b) => compare(a.path, b.path));
  for (const file of inputs) hash.update(`${file.path}\0${file.oid}\0`);
  return hash.digest('hex');
}

const GRAPH_FILES = new Set([
  'nx.json',
  'project.json',
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
  '.gitignore',
  '.nxignore',
]);
// The extensions @nx/js scans for imports (nx/src/plugins/js/.../explicit-project-dependencies.js).
const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx|vue)$/;

/** Whether Nx reads this file to build the graph (a change to it can change the graph). */
export function nxReads(path: RepoPath): boolean {
  if (inNodeModules(path)) return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return (
    GRAPH_FILES.has(base) || /^tsconfig.*\.json$/.test(base) || ESLINT_RC.test(base) || SOURCE.test(base)
  );
}

const inNodeModules = (path: RepoPath): boolean => /(?:^|\/)node_modules\//.test(path);
// @nx/eslint/plugin finds projects' lint configs by name; the flat ones (eslint.config.*) are sources.
const ESLINT_RC = /^\.eslintrc(?:\.json|\.ya?ml)?$/;

// Official plugins whose inference reads only files nxReads covers: their configs are JS or TS files
// (vite.config.ts, jest.config.ts...), tsconfig*.json, package.json, project.json or lint configs.
// Any other plugin (local, third-party, or one for other languages such as @nx/gradle) may read any
// file (a local plugin could infer projects or dependencies from serverless.yml), so with one of those
// every file keys the graph.
const KNOWN_PLUGINS = new Set([
  '@nx/js',
  '@nx/js/typescript',
  '@nx/vite/plugin',
  '@nx/vitest',
  '@nx/jest/plugin',
  '@nx/eslint/plugin',
  '@nx/webpack/plugin',
  '@nx/rollup/plugin',
  '@nx/playwright/plugin',
  '@nx/cypress/plugin',
  '@nx/next/plugin',
  '@nx/storybook/plugin',
]);

/**
 * Which files Nx reads for the graph of the workspace at `root`: those nxReads names while nx.json's
 * plugins are all known ones, else every file outside node_modules.
 */
export async function nxInputs(root: string): Promise<(path: RepoPath) => boolean> {
  let plugins: unknown;
  try {
    plugins = (parseJsonc(await readFile(join(root, 'nx.json'), 'utf8')) as { plugins?: unknown } | null)
      ?.plugins;
  } catch {
    // No nx.json (Nx ≤ 15 workspaces may keep their config elsewhere): nx itself reports what it lacks.
    return nxReads;
  }
  const names = (Array.isArray(plugins) ? plugins : []).map((entry: unknown) =>
    typeof entry === 'string' ? entry : (entry as { plugin?: unknown } | null)?.plugin,
  );
  return names.every((name) => typeof name === 'string' && KNOWN_PLUGINS.has(name))
    ? nxReads
    : (path) => !inNodeModules(path);
}

async function runNxGraph(
  nx: NxInstall,
  root: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<NxGraph> {
  // Loaded only to run nx: a plan that finds the graph cached does not pay for execa (~20 ms).
  const { execa } = await import('execa');
  const nxRunEnv = nxEnv(env, cacheDir);
  await forgetNxFileHashes(root, nxRunEnv);
  const outputDir = await mkdtemp(join(tmpdir(), 'shipgraph-nx-'));
  const file = join(outputDir, 'graph.json');
  try {
    const result = await execa(process.execPath, [nx.bin, 'graph', `--file=${file}`], {
      cwd: root,
      env: nxRunEnv,
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: NX_TIMEOUT_MS,
    });
    if (result.failed) {
      const why = result.timedOut
        ? `no answer within ${NX_TIMEOUT_MS / 60_000} minutes`
        : result.signal !== undefined
          ? `killed by ${result.signal}`
          : result.exitCode !== undefined
            ? `exit code ${result.exitCode}`
            : (result.shortMessage ?? 'did not start');
      const said = nxSays(result.stderr || result.stdout, root);
      throw new CliError('E_NX', `nx graph failed (${why})${said === '' ? '' : `: ${said}`}`, {
        hint: 'run `npx nx graph --file=graph.json` in the workspace to see all of it, or set "graph": "packages"',
        cause: result,
      });
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError('E_NX', `nx graph succeeded but wrote no graph file`, { cause: error });
    }
    let output: unknown;
    try {
      output = JSON.parse(text);
    } catch (error) {
      throw new CliError('E_NX', `nx graph wrote a graph file that is not JSON`, { cause: error });
    }
    return graphFromNxOutput(output);
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

function nxEnv(env: NodeJS.ProcessEnv, cacheDir: string): NodeJS.ProcessEnv {
  return {
    // Plugins load in nx's own process: worker isolation more than doubles a one-off run (2.5 s, not 1.1 s).
    NX_ISOLATE_PLUGINS: 'false',
    // nx's file map stays warm beside our cache and nothing lands in the workspace's .nx/ or in ~/.nx.
    NX_WORKSPACE_DATA_DIRECTORY: join(cacheDir, 'nx-workspace-data'),
    ...env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    // Plain text even where CI forces colour, so nx's error reads cleanly in ours.
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
}

// nx's archive of file hashes in its workspace data (nx_files.nxt; nx_files_v2.nxt since it was versioned).
const NX_FILE_ARCHIVE = /^nx_files(?:_v\d+)?\.nxt$/;

/**
 * Removes nx's archive of file hashes, so that nx hashes every file it reads from its contents. nx
 * reuses an archived hash while the file's modification time, in whole seconds, is unchanged (size
 * is not compared): a file rewritten within the second nx last read it, or checked out with its
 * time kept, would keep its old hash and nx its old imports. nx's graph cache (file-map.json) is
 * keyed by those hashes, so it stays and stays right.
 */
async function forgetNxFileHashes(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  // As nx finds its workspace data: the variable, relative to the workspace root.
  const dataDir = env.NX_WORKSPACE_DATA_DIRECTORY ?? env.NX_PROJECT_GRAPH_CACHE_DIRECTORY;
  if (dataDir === undefined) return;
  const dir = resolve(root, dataDir);
  const names = await readdir(dir).catch(() => []);
  await Promise.all(
    names.filter((name) => NX_FILE_ARCHIVE.test(name)).map((name) => rm(join(dir, name), { force: true })),
  );
}

/** The first lines of nx's own message, without its banner, code frames and the workspace path. */
function nxSays(output: string, root: string): string {
  const lines = stripVTControlCharacters(output)
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^NX\s+/, '')
        .replaceAll(`${root}/`, ''),
    )
    .filter((line) => line !== '' && !/^>?\s*\d*\s*\|/.test(line) && !line.startsWith('Pass --verbose'));
  const said = lines
    .slice(0, 3)
    .reduce((text, line) => (text === '' ? line : `${text}${text.endsWith(':') ? ' ' : '; '}${line}`), '');
  return said.length > 300 ? `${said.slice(0, 299)}…` : said;
}

interface NxGraphFile {
  graph?: {
    nodes?: Record<string, { data?: { root?: unknown } }>;
    dependencies?: Record<string, { source?: unknown; target?: unknown; type?: unknown }[]>;
  };
}

/** Our graph from `nx graph --file` output: `{ graph: { nodes, dependencies } }`. */
function graphFromNxOutput(output: unknown): NxGraph {
  const { nodes, dependencies } = (output as NxGraphFile | null)?.graph ?? {};
  if (typeof nodes !== 'object' || typeof dependencies !== 'object') {
    throw new CliError('E_NX', 'nx graph wrote a file without graph.nodes and graph.dependencies', {
      hint: 'report this with your nx version; set "graph": "packages" meanwhile',
    });
  }
  const projects: NxProject[] = [];
  for (const [name, node] of Object.entries(nodes)) {
    const root = node.data?.root;
    if (typeof root !== 'string') {
      throw new CliError('E_NX', `nx graph gave project ${name} no root directory`);
    }
    const dir = root.replace(/^\.\/|\/+$/g, '');
    projects.push({ name, root: dir === '' ? '.' : dir });
  }
  const names = new Set(projects.map((project) => project.name));
  const edges = new Map<string, NxDependency>();
  for (const dependency of Object.values(dependencies).flat()) {
    const { source, target, type } = dependency;
    // npm: targets are pruned by nx already; anything that is not a project here is no edge of ours.
    if (typeof source !== 'string' || typeof target !== 'string') continue;
    if (!names.has(source) || !names.has(target) || source === target) continue;
    // A kind newer nx adds is still a dependency; static is the plain one.
    const kind: NxDependencyType = type === 'dynamic' || type === 'implicit' ? type : 'static';
    edges.set(`${source}\0${target}\0${kind}`, { source, target, type: kind });
  }
  return {
    projects: projects.sort((a, b) => compare(a.name, b.name)),
    dependencies: [...edges.values()].sort(
      (a, b) => compare(a.source, b.source) || compare(a.target, b.target) || compare(a.type, b.type),
    ),
  };
}

async function readCachedGraph(entry: string): Promise<NxGraph | null> {
  let graph: unknown;
  try {
    graph = JSON.parse(await readFile(entry, 'utf8'));
  } catch {
    // Missing, or unreadable for any reason: nx runs and the entry is written anew.
    return null;
  }
  if (!isNxGraph(graph)) return null;
  // The newest entries survive pruning, so a hit counts as new.
  const now = new Date();
  await utimes(entry, now, now).catch(() => undefined);
  return graph;
}

function isNxGraph(value: unknown): value is NxGraph {
  const graph = value as Partial<NxGraph> | null;
  return Array.isArray(graph?.projects) && Array.isArray(graph.dependencies);
}

/** Writes the entry atomically and keeps the newest few; the graph is right either way, so failures pass. */
async function storeGraph(cacheDir: string, entry: string, graph: NxGraph): Promise<void> {
  const temporary = `${entry}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(temporary, JSON.stringify(graph) + '\n');
    await rename(temporary, entry);
    await pruneCache(cacheDir);
  } catch {
    await rm(temporary, { force: true });
  }
}

async function pruneCache(cacheDir: string): Promise<void> {
  const entries = (await readdir(cacheDir)).filter((name) => ENTRY.test(name));
  if (entries.length <= KEEP_ENTRIES) return;
  const dated = await Promise.all(
    entries.map(async (name) => {
      const path = join(cacheDir, name);
      // Another run may prune the same entry first.
      const modified = await stat(path).then(
        (stats) => stats.mtimeMs,
        () => 0,
      );
      return { path, modified };
    }),
  );
  dated.sort((a, b) => b.modified - a.modified);
  await Promise.all(dated.slice(KEEP_ENTRIES).map(({ path }) => rm(path, { force: true })));
}

const NX_EDGE: EdgeSource = 'nx-graph';

/**
 * The Workspace planning works on, from the Nx graph. A project at the root (`.`) is not a package, as
 * in readWorkspace, and edges to it are dropped.
 */
export function workspaceFromNxGraph(graph: NxGraph, isService: (project: NxProject) => boolean): Workspace {
  const projects = graph.projects.filter((project) => project.root !== '.');
  const names = new Set(projects.map((project) => project.name));
  const dependsOn = new Map<PackageName, Set<PackageName>>();
  for (const { source, target } of graph.dependencies) {
    if (!names.has(source) || !names.has(target)) continue;
    let targets = dependsOn.get(source);
    if (targets === undefined) dependsOn.set(source, (targets = new Set()));
    targets.add(target);
  }
  return {
    packages: projects
      .map((project): WorkspacePackage => ({
        name: project.name,
        dir: project.root,
        isService: isService(project),
        dependsOn: [...(dependsOn.get(project.name) ?? [])]
          .sort(compare)
          .map((name) => ({ name, source: NX_EDGE })),
      }))
      .sort((a, b) => compare(a.name, b.name)),
    sources: ['nx projects'],
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The workspace as shipgraph reads it, with the edges only Nx sees (imports through path aliases,
 * its plugins' inferred projects) added: services, config edges and names stay as read. Nx's
 * projects are matched to packages by folder, since Nx may name a package otherwise (older Nx drops
 * the npm scope).
 */
export function withNxGraph(
  workspace: Workspace,
  graph: NxGraph,
  isService: (project: NxProject) => boolean,
): Workspace {
  const fromNx = workspaceFromNxGraph(graph, isService);
  const ourNameByDir = new Map(workspace.packages.map((pkg) => [pkg.dir, pkg.name]));
  const ours = new Set(workspace.packages.map((pkg) => pkg.name));
  // An Nx project's name as shipgraph knows it: the package in its folder, else its Nx name.
  const nameOf = new Map(
    fromNx.packages.map((project) => [project.name, ourNameByDir.get(project.dir) ?? project.name]),
  );
  // Projects only Nx knows (its plugins infer some) join with Nx's edges alone.
  const packages = [
    ...workspace.packages,
    ...fromNx.packages
      .filter((project) => !ourNameByDir.has(project.dir) && !ours.has(project.name))
      .map((project) => ({ ...project, dependsOn: [] })),
  ];
  const names = new Set(packages.map((pkg) => pkg.name));
  const nxEdges = new Map<PackageName, PackageName[]>();
  for (const project of fromNx.packages) {
    const source = nameOf.get(project.name) ?? project.name;
    const targets = project.dependsOn.map((edge) => nameOf.get(edge.name) ?? edge.name);
    nxEdges.set(source, [...(nxEdges.get(source) ?? []), ...targets]);
  }
  return {
    packages: packages
      .map((pkg) => {
        const known = new Set(pkg.dependsOn.map((dep) => dep.name));
        const added = [...new Set(nxEdges.get(pkg.name) ?? [])]
          .filter((name) => names.has(name) && name !== pkg.name && !known.has(name))
          .map((name) => ({ name, source: NX_EDGE }));
        return { ...pkg, dependsOn: [...pkg.dependsOn, ...added].sort((a, b) => compare(a.name, b.name)) };
      })
      .sort((a, b) => compare(a.name, b.name)),
    sources: workspace.sources,
  };
}
