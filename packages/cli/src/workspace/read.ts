// Finds the workspace's packages, Nx projects and config-declared services in a commit's tree, and builds the package graph.
import picomatch from 'picomatch';
import {
  type EdgeSource,
  type HeadFile,
  type PackageName,
  type RepoPath,
  type Workspace,
  type WorkspacePackage,
} from '@shipgraph/core';
import type { ShipgraphConfig } from '../config/config.js';
import { workspaceGlobs, type WorkspaceGlobs } from './globs.js';
import { parseJson, parseJsonWithComments } from './json.js';
import {
  nxIgnoredPaths,
  nxRules,
  packageProjectName,
  unnamedProjectName,
  workspaceJsonProjects,
  type NxRules,
} from './nx-projects.js';
import { CliError } from '../errors.js';

/** The config files the Serverless Framework looks for in a service's folder, in its order. */
export const SERVERLESS_FILES = [
  'serverless.yml',
  'serverless.yaml',
  'serverless.json',
  'serverless.js',
  'serverless.mjs',
  'serverless.cjs',
  'serverless.ts',
];
const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
] as const;

/** Reads many files of the commit at once; a missing file maps to null. */
export type ReadFiles = (paths: readonly RepoPath[]) => Promise<Map<RepoPath, string | null>>;

export interface Manifest {
  name?: unknown;
  nx?: unknown;
  workspaces?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

interface ProjectJson {
  name?: unknown;
  tags?: unknown;
  implicitDependencies?: unknown;
}

interface Node {
  name: PackageName;
  /** Other names that mean this package: its npm name beside an Nx name, or the other way round. */
  aliases: string[];
  dir: RepoPath;
  manifest: Manifest | null;
  project: ProjectJson | null;
  /** The file that gave its name, for errors. */
  file: RepoPath;
}

/** The files planning needs from the root of the tree; read together with the manifests. */
export const ROOT_FILES = [
  'package.json',
  'pnpm-workspace.yaml',
  'lerna.json',
  'nx.json',
  'workspace.json',
  'shipgraph.config.json',
] as const;

/** Files read from anywhere in the tree: manifests, Nx project files, and what Nx ignores. */
export const isWorkspaceFile = (path: RepoPath): boolean =>
  // The name first: it rules out most of a big tree without scanning the path for node_modules.
  (path.endsWith('/package.json') ||
    path.endsWith('/project.json') ||
    path === '.gitignore' ||
    path.endsWith('/.gitignore') ||
    path === '.nxignore' ||
    path.endsWith('/.nxignore')) &&
  !path.includes('node_modules/');

export interface WorkspaceRead {
  workspace: Workspace;
  /** Every package's package.json (parsed) by folder, the root's under `''`. */
  manifests: Map<RepoPath, Manifest>;
  warnings: string[];
}

export async function readWorkspace(
  files: readonly HeadFile[],
  rootFiles: ReadonlyMap<RepoPath, string | null>,
  readFiles: ReadFiles,
  config: ShipgraphConfig,
): Promise<WorkspaceRead> {
  const paths = new Set<RepoPath>();
  for (const file of files) paths.add(file.path);
  const globs = await workspaceGlobs(rootFiles, paths);
  const rootManifest = parseJson(rootFiles.get('package.json') ?? null, 'package.json') as Manifest | null;
  const nx =
    rootFiles.get('nx.json') != null ? await readNx(rootFiles, rootManifest, paths, readFiles) : null;

  const inWorkspace = matcher(globs.patterns);
  const manifestDirs: RepoPath[] = [];
  const projectFiles: RepoPath[] = [];
  // One pass over the tree, which also finds the serverless configs (services, and stray ones). Only
  // these file names matter: the rest of a big tree is passed over without slicing a path.
  const serverlessFiles: RepoPath[] = [];
  const serverlessDirs = new Set<RepoPath>();
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    if (path.startsWith('serverless.', slash + 1)) {
      if (!SERVERLESS_FILES.includes(path.slice(slash + 1))) continue;
      serverlessFiles.push(path);
      if (slash > 0) serverlessDirs.add(path.slice(0, slash));
      continue;
    }
    const manifest = path.endsWith('/package.json');
    if (!manifest && !(nx?.globs === true && path.endsWith('/project.json'))) continue;
    if (slash < 0 || path.includes('node_modules/')) continue;
    if (!manifest) projectFiles.push(path);
    else if (inWorkspace(path.slice(0, slash))) manifestDirs.push(path.slice(0, slash));
  }
  const ignored = nx === null || projectFiles.length === 0 ? () => false : await nx.ignored();
  const projectDirs = projectFiles
    .filter((path) => !ignored(path))
    .map((path) => path.slice(0, path.lastIndexOf('/')));
  const namedByWorkspaceJson = new Map<RepoPath, string>();
  for (const [name, dir] of nx?.workspaceJson ?? []) namedByWorkspaceJson.set(dir, name);
  const configured = new Map<RepoPath, PackageName>();
  for (const [name, service] of Object.entries(config.services)) {
    if (service.path !== null) configured.set(service.path, name);
  }

  const projectish = new Set([...projectDirs, ...namedByWorkspaceJson.keys()]);
  const dirs = new Set([...manifestDirs, ...projectish, ...configured.keys()]);
  // Each folder's package.json path, built once: at 10,000 packages every string per package counts.
  const manifestFiles = new Map<RepoPath, RepoPath>();
  const wanted: RepoPath[] = [];
  for (const dir of dirs) {
    const file = `${dir}/package.json`;
    if (!paths.has(file)) continue;
    manifestFiles.set(dir, file);
    wanted.push(file);
  }
  for (const dir of projectish) if (paths.has(`${dir}/project.json`)) wanted.push(`${dir}/project.json`);
  const texts = await readFiles(wanted);

  const projectTexts = await parseJsonWithComments(
    new Map([...projectish].map((dir) => [`${dir}/project.json`, texts.get(`${dir}/project.json`) ?? null])),
  );
  const nodes: Node[] = [];
  const manifests = new Map<RepoPath, Manifest>();
  if (rootManifest !== null) manifests.set('', rootManifest);
  for (const dir of [...dirs].sort()) {
    const file = manifestFiles.get(dir);
    const manifest = (
      file === undefined ? null : parseJson(texts.get(file) ?? null, file)
    ) as Manifest | null;
    const project = projectish.has(dir) ? (projectTexts.get(`${dir}/project.json`) ?? null) : null;
    if (manifest !== null && (typeof manifest !== 'object' || Array.isArray(manifest))) {
      throw new CliError('E_WORKSPACE', `${dir}/package.json must be a JSON object`, {
        hint: `fix ${dir}/package.json`,
      });
    }
    if (manifest !== null) manifests.set(dir, manifest);
    nodes.push(nameNode({ dir, manifest, project }, nx, namedByWorkspaceJson.get(dir), configured.get(dir)));
  }
  const workspace: Workspace = {
    packages: linkNodes(nodes, paths, serverlessDirs, config),
    sources: [
      ...globs.sources,
      ...(nx === null || projectish.size === 0
        ? []
        : [nx.workspaceJson.size > 0 ? 'nx workspace.json' : 'nx projects']),
      ...(configured.size > 0 ? ['config'] : []),
    ],
  };
  return {
    workspace,
    manifests,
    warnings: [
      ...unmatchedGlobs(globs.declared, manifestDirs, paths),
      ...strayServerlessFiles(workspace, serverlessFiles),
    ],
  };
}

interface NxWorkspace {
  rules: NxRules;
  npmScope: string | null;
  layout: { appsDir: string; libsDir: string };
  /** Whether Nx globs for project.json files (it does unless a workspace.json is its only source). */
  globs: boolean;
  /** What Nx skips when it looks for project files (loaded only when there are some). */
  ignored: () => Promise<(path: RepoPath) => boolean>;
  workspaceJson: Map<string, RepoPath>;
}

async function readNx(
  rootFiles: ReadonlyMap<RepoPath, string | null>,
  rootManifest: Manifest | null,
  paths: ReadonlySet<RepoPath>,
  readFiles: ReadFiles,
): Promise<NxWorkspace> {
  const workspaceJsonText = rootFiles.get('workspace.json') ?? null;
  const parsed = await parseJsonWithComments(
    new Map([
      ['nx.json', rootFiles.get('nx.json') ?? null],
      ['workspace.json', workspaceJsonText],
    ]),
  );
  const nxJson = parsed.get('nx.json') as {
    npmScope?: unknown;
    workspaceLayout?: { appsDir?: unknown; libsDir?: unknown };
  } | null;
  const rules = nxRules(rootManifest, workspaceJsonText !== null);
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return {
    rules,
    npmScope: typeof nxJson?.npmScope === 'string' && nxJson.npmScope !== '' ? nxJson.npmScope : null,
    layout: {
      appsDir: text(nxJson?.workspaceLayout?.appsDir, 'apps'),
      libsDir: text(nxJson?.workspaceLayout?.libsDir, 'libs'),
    },
    globs: rules.workspaceJson !== 'only' || workspaceJsonText === null,
    ignored: async () => {
      const files = [...paths].filter((path) => /(^|\/)\.(gitignore|nxignore)$/.test(path));
      const texts = await readFiles(files);
      return nxIgnoredPaths(
        new Map([...texts].filter((entry): entry is [RepoPath, string] => entry[1] !== null)),
      );
    },
    workspaceJson:
      rules.workspaceJson === 'ignored'
        ? new Map<string, RepoPath>()
        : workspaceJsonProjects(parsed.get('workspace.json')),
  };
}

/**
 * A package's name, by the rules of what found it: the config key for a service the config places,
 * workspace.json's key, project.json's name (or the one Nx derives), else package.json's (in an Nx
 * workspace, Nx names a package.json without a name after its folder).
 */
function nameNode(
  found: { dir: RepoPath; manifest: Manifest | null; project: ProjectJson | null },
  nx: NxWorkspace | null,
  workspaceJsonName: string | undefined,
  configuredName: PackageName | undefined,
): Node {
  const { dir, manifest, project } = found;
  const npmName = typeof manifest?.name === 'string' && manifest.name !== '' ? manifest.name : null;
  const aliases = new Set<string>();
  let name: string | null;
  let file: RepoPath;
  if (workspaceJsonName !== undefined) {
    name = workspaceJsonName;
    file = 'workspace.json';
  } else if (project !== null && nx !== null) {
    name =
      typeof project.name === 'string' && project.name !== ''
        ? project.name
        : unnamedProjectName(nx.rules, dir, manifest, nx.layout);
    file = `${dir}/project.json`;
  } else {
    name = npmName;
    file = `${dir}/package.json`;
    // Nx calls a package.json project by its own name (its nx.name, or the npm name without npmScope).
    const nxName =
      nx === null || manifest === null ? null : packageProjectName(nx.rules, manifest, nx.npmScope);
    if (nxName !== null) {
      if (name === null) name = nxName;
      else aliases.add(nxName);
    } else if (nx !== null && name === null) {
      name = (dir.split('/').pop() ?? dir).toLowerCase();
    }
  }
  if (configuredName !== undefined) {
    if (name !== null) aliases.add(name);
    name = configuredName;
    file = 'shipgraph.config.json';
  }
  if (name === null) {
    throw new CliError('E_WORKSPACE', `${file} has no "name"`, {
      hint: 'give every workspace package a unique name',
    });
  }
  if (npmName !== null) aliases.add(npmName);
  aliases.delete(name);
  return { name, aliases: [...aliases], dir, manifest, project, file };
}

function linkNodes(
  nodes: Node[],
  paths: ReadonlySet<RepoPath>,
  serverlessDirs: ReadonlySet<RepoPath>,
  config: ShipgraphConfig,
): WorkspacePackage[] {
  const byName = new Map<PackageName, Node>();
  for (const node of nodes) {
    const clash = byName.get(node.name);
    if (clash !== undefined) {
      throw new CliError(
        'E_DUPLICATE_PACKAGE',
        `two packages are named ${node.name}: ${clash.dir} and ${node.dir}`,
        {
          hint: 'package and project names must be unique in the workspace (ignore copies with .nxignore, or leave them out of the workspaces globs)',
        },
      );
    }
    byName.set(node.name, node);
  }
  // Other names a package goes by (its npm name beside its Nx name), so every kind of reference resolves.
  const alias = new Map<string, PackageName>();
  for (const node of nodes) {
    for (const other of node.aliases) if (!byName.has(other)) alias.set(other, node.name);
  }
  const known = (name: string): PackageName | undefined => (byName.has(name) ? name : alias.get(name));

  for (const [name, service] of Object.entries(config.services)) {
    const node = byName.get(name);
    if (node === undefined) {
      throw new CliError(
        'E_CONFIG',
        `${config.file ?? 'config'}: services."${name}" is not a workspace package`,
        {
          hint: `use a package name from the workspace${examples([...byName.keys()])}, or give the service's folder as "path"`,
        },
      );
    }
    if (service.path !== null && node.dir !== service.path) {
      throw new CliError(
        'E_CONFIG',
        `${config.file ?? 'config'}: services."${name}".path is ${service.path}, but ${name} is the package in ${node.dir}`,
        { hint: `drop "path", or give the service a name of its own` },
      );
    }
    if (service.path !== null && ![...paths].some((path) => path.startsWith(`${service.path}/`))) {
      throw new CliError(
        'E_CONFIG',
        `${config.file ?? 'config'}: services."${name}".path ${service.path} has no files in this commit`,
        { hint: 'give the folder of the service, relative to the repository root' },
      );
    }
  }

  // Only implicitDependencies look packages up by tag or glob: built the first time one does.
  let projects: { node: Node; tags: string[] }[] | undefined;
  const allProjects = () =>
    (projects ??= nodes.map((node) => ({ node, tags: stringsOf(node.project?.tags) })));
  return nodes
    .map((node): WorkspacePackage => {
      const edges = new Map<PackageName, EdgeSource>();
      // Named by devDependencies alone: what its tests or its build use, not what it ships.
      const devOnly = new Set<PackageName>();
      for (const field of DEPENDENCY_FIELDS) {
        const deps = node.manifest?.[field];
        if (deps === null || typeof deps !== 'object') continue;
        for (const dep of Object.keys(deps)) {
          const target = known(dep);
          if (target === undefined || target === node.name) continue;
          if (field === 'devDependencies' && !edges.has(target)) devOnly.add(target);
          else if (field !== 'devDependencies') devOnly.delete(target);
          edges.set(target, 'package.json');
        }
      }
      applyImplicitDependencies(node, allProjects, known, edges);
      for (const dep of config.services[node.name]?.dependsOn ?? []) {
        const target = known(dep);
        if (target === undefined) {
          throw new CliError(
            'E_CONFIG',
            `${config.file ?? 'config'}: services."${node.name}".dependsOn names "${dep}", which is not a workspace package`,
            {
              hint: 'list package names from the workspace',
            },
          );
        }
        // Deploy-time only when nothing else names it: an edge of both kinds is a code edge.
        if (!edges.has(target)) edges.set(target, 'config');
      }
      // `{output:<service>:<Key>}` in its deployer's settings: it reads that service's outputs.
      for (const dep of outputsNamed(config.services[node.name]?.deployer)) {
        const target = known(dep);
        if (target !== undefined && target !== node.name && !edges.has(target)) edges.set(target, 'outputs');
      }
      const dependsOn: WorkspacePackage['dependsOn'] = [];
      for (const [name, source] of edges)
        dependsOn.push({
          name,
          source,
          ...(devOnly.has(name) && source === 'package.json' ? { dev: true } : {}),
        });
      dependsOn.sort((a, b) => compare(a.name, b.name));
      return {
        name: node.name,
        dir: node.dir,
        isService: node.name in config.services || serverlessDirs.has(node.dir),
        dependsOn,
      };
    })
    .sort((a, b) => compare(a.name, b.name));
}

/**
 * Nx `implicitDependencies`, as Nx reads them: project names, globs over names (`*` for all),
 * `tag:<tag>`, and `!` to remove an edge; a bare name also finds a scoped project (`foo` →
 * `@acme/foo`). A name that matches no project is an error, as in Nx.
 */
function applyImplicitDependencies(
  node: Node,
  projects: () => readonly { node: Node; tags: string[] }[],
  known: (name: string) => PackageName | undefined,
  edges: Map<PackageName, EdgeSource>,
): void {
  const implicit = node.project?.implicitDependencies;
  if (implicit === undefined) return;
  if (!Array.isArray(implicit) || implicit.some((entry) => typeof entry !== 'string')) {
    throw new CliError('E_WORKSPACE', `${node.file}: implicitDependencies must be a list of project names`, {
      hint: 'list project names, globs or tag:<tag>',
    });
  }
  for (const entry of implicit as string[]) {
    const negated = entry.startsWith('!');
    const pattern = negated ? entry.slice(1) : entry;
    const targets = matchProjects(pattern, projects(), known);
    if (targets.length === 0 && !negated && !/[*?[{]/.test(pattern) && !pattern.startsWith('tag:')) {
      throw new CliError('E_WORKSPACE', `${node.file}: implicit dependency "${entry}" is not a project`, {
        hint: 'name a project of the workspace',
      });
    }
    for (const target of targets) {
      if (target === node.name) continue;
      if (negated) edges.delete(target);
      else edges.set(target, 'nx-implicit');
    }
  }
}

function matchProjects(
  pattern: string,
  projects: readonly { node: Node; tags: string[] }[],
  known: (name: string) => PackageName | undefined,
): PackageName[] {
  if (pattern.startsWith('tag:')) {
    const tag = pattern.slice(4);
    return projects.filter((project) => project.tags.includes(tag)).map((project) => project.node.name);
  }
  if (/[*?[{]/.test(pattern)) {
    const isMatch = picomatch(pattern);
    return projects
      .filter(({ node }) => isMatch(node.name) || node.aliases.some((name) => isMatch(name)))
      .map((project) => project.node.name);
  }
  const exact = known(pattern);
  if (exact !== undefined) return [exact];
  const word = new RegExp(
    `(?<![@a-zA-Z0-9-])${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![@a-zA-Z0-9-])`,
  );
  return projects.filter(({ node }) => word.test(node.name)).map((project) => project.node.name);
}

/**
 * Workspace globs that find no package while package.json files stand outside every glob: a typo
 * (`servcies/*`) that made packages vanish. A glob for a folder still to come (`libs/*` with no
 * library yet) is not one.
 */
function unmatchedGlobs(
  declared: WorkspaceGlobs['declared'],
  manifestDirs: readonly RepoPath[],
  paths: ReadonlySet<RepoPath>,
): string[] {
  const unmatched = declared.filter(({ pattern }) => !manifestDirs.some(matcher([pattern])));
  if (unmatched.length === 0) return [];
  const inside = new Set(manifestDirs);
  const outside = [...paths].filter(
    (path) =>
      path.endsWith('/package.json') &&
      !path.includes('node_modules/') &&
      !inside.has(path.slice(0, -'/package.json'.length)),
  );
  if (outside.length === 0 && manifestDirs.length > 0) return [];
  const left =
    outside.length === 0
      ? ''
      : `, and ${outside.slice(0, 2).join(', ')}${outside.length > 2 ? ` and ${outside.length - 2} more are` : outside.length === 1 ? ' is' : ' are'} in no workspace`;
  return unmatched.map(
    ({ pattern, file }) =>
      `${file} glob "${pattern}" matches no folder with a package.json${left} (fix: correct the glob, or add the folders to it)`,
  );
}

/** serverless.* files (`serverlessFiles`, in tree order) that belong to no service: their services would never deploy. */
function strayServerlessFiles(workspace: Workspace, serverlessFiles: readonly RepoPath[]): string[] {
  const serviceDirs = new Set(workspace.packages.filter((pkg) => pkg.isService).map((pkg) => pkg.dir));
  const inService = (path: RepoPath): boolean => {
    for (let end = path.indexOf('/'); end > 0; end = path.indexOf('/', end + 1)) {
      if (serviceDirs.has(path.slice(0, end))) return true;
    }
    return false;
  };
  const stray = serverlessFiles.filter((path) => !path.includes('node_modules/') && !inService(path));
  if (stray.length === 0) return [];
  const shown = stray.slice(0, 3).join(', ') + (stray.length > 3 ? ` and ${stray.length - 3} more` : '');
  const first = stray[0] ?? '';
  const dir = first.includes('/') ? first.slice(0, first.lastIndexOf('/')) : '.';
  return [
    `${stray.length} serverless config file${stray.length === 1 ? '' : 's'} outside every known service, never deployed: ${shown} ` +
      `(fix: add the folder to the workspaces, or name it in shipgraph.config.json: "services": { "<name>": { "path": "${dir}" } })`,
  ];
}

/** A directory matcher for workspace globs such as `services/*`, `./libs/**` and `!**\/fixtures/**`. */
function matcher(patterns: string[]): (dir: RepoPath) => boolean {
  const clean = (pattern: string): string =>
    pattern
      .replace(/^\.\//, '')
      .replace(/\/package\.json$/, '')
      .replace(/\/+$/, '');
  const include = patterns.filter((p) => !p.startsWith('!')).map(clean);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => clean(p.slice(1)));
  const included = include.length > 0 ? picomatch(include) : () => false;
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return (dir) => included(dir) && !excluded(dir);
}

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];

const examples = (names: string[]): string =>
  names.length === 0 ? '' : `, e.g. ${names.slice(0, 3).join(', ')}`;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The services a deployer's settings read outputs of: `{output:<service>:<Key>}` anywhere in them. */
function outputsNamed(deployer: unknown): PackageName[] {
  if (deployer === undefined || deployer === null) return [];
  return [...JSON.stringify(deployer).matchAll(/\{output:([^:}]+):[^}]+\}/g)].map((match) => match[1] ?? '');
}
