// Finds the workspace's packages and Nx projects in a commit's tree and builds the package graph.
import picomatch from 'picomatch';
import {
  ShipgraphError,
  type EdgeSource,
  type HeadFile,
  type PackageName,
  type RepoPath,
  type Workspace,
  type WorkspacePackage,
} from '@shipgraph/core';
import type { ShipgraphConfig } from '../config/config.js';

export const SERVERLESS_FILES = [
  'serverless.yml',
  'serverless.yaml',
  'serverless.json',
  'serverless.js',
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

interface Manifest {
  name?: unknown;
  workspaces?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

interface ProjectJson {
  name?: unknown;
  implicitDependencies?: unknown;
}

interface Node {
  name: PackageName;
  dir: RepoPath;
  manifest: Manifest | null;
  project: ProjectJson | null;
}

/** The files planning needs from the root of the tree; read together with the manifests. */
export const ROOT_FILES = [
  'package.json',
  'pnpm-workspace.yaml',
  'nx.json',
  'shipgraph.config.json',
] as const;

export async function readWorkspace(
  files: readonly HeadFile[],
  rootFiles: ReadonlyMap<RepoPath, string | null>,
  readFiles: ReadFiles,
  config: ShipgraphConfig,
): Promise<Workspace> {
  const paths = new Set(files.map((file) => file.path));
  const patterns = await workspacePatterns(rootFiles);
  const isNx = rootFiles.get('nx.json') != null;

  const manifestDirs: RepoPath[] = [];
  const projectDirs: RepoPath[] = [];
  if (patterns !== null || isNx) {
    const inWorkspace = patterns === null ? () => false : matcher(patterns);
    for (const path of paths) {
      if (path.includes('node_modules/')) continue;
      const slash = path.lastIndexOf('/');
      if (slash < 0) continue;
      const base = path.slice(slash + 1);
      const dir = path.slice(0, slash);
      if (base === 'package.json' && inWorkspace(dir)) manifestDirs.push(dir);
      else if (base === 'project.json' && isNx) projectDirs.push(dir);
    }
  }

  const texts = await readFiles([
    ...manifestDirs.map((dir) => `${dir}/package.json`),
    ...projectDirs.map((dir) => `${dir}/project.json`),
    // An Nx project may have a package.json outside the npm workspaces; its dependencies count too.
    ...projectDirs.filter((dir) => paths.has(`${dir}/package.json`)).map((dir) => `${dir}/package.json`),
  ]);
  const nodes = new Map<RepoPath, Node>();
  for (const dir of new Set([...manifestDirs, ...projectDirs])) {
    const manifest = parseJson(
      texts.get(`${dir}/package.json`) ?? null,
      `${dir}/package.json`,
    ) as Manifest | null;
    const project = parseJson(
      texts.get(`${dir}/project.json`) ?? null,
      `${dir}/project.json`,
    ) as ProjectJson | null;
    const name = project?.name ?? manifest?.name;
    if (typeof name !== 'string' || name === '') {
      const file = project === null ? `${dir}/package.json` : `${dir}/project.json`;
      throw new ShipgraphError('E_WORKSPACE', `${file} has no "name"`, {
        hint: 'give every workspace package (and Nx project) a unique name',
      });
    }
    nodes.set(dir, { name, dir, manifest, project });
  }
  return {
    packages: linkNodes([...nodes.values()], paths, config),
    source:
      patterns === null
        ? 'nx-projects'
        : projectDirs.length > 0
          ? 'mixed'
          : rootFiles.get('pnpm-workspace.yaml') != null
            ? 'pnpm-workspace'
            : 'npm-workspaces',
  };
}

function linkNodes(nodes: Node[], paths: ReadonlySet<RepoPath>, config: ShipgraphConfig): WorkspacePackage[] {
  const byName = new Map<PackageName, Node>();
  // package.json names of Nx projects whose project.json gives another name, so npm dependencies still resolve.
  const alias = new Map<string, PackageName>();
  for (const node of nodes) {
    const clash = byName.get(node.name);
    if (clash !== undefined) {
      throw new ShipgraphError(
        'E_DUPLICATE_PACKAGE',
        `two packages are named ${node.name}: ${clash.dir} and ${node.dir}`,
        {
          hint: 'package and project names must be unique in the workspace',
        },
      );
    }
    byName.set(node.name, node);
    const npmName = node.manifest?.name;
    if (typeof npmName === 'string' && npmName !== node.name) alias.set(npmName, node.name);
  }
  const known = (name: string): PackageName | undefined => (byName.has(name) ? name : alias.get(name));

  for (const name of Object.keys(config.services)) {
    if (!byName.has(name)) {
      throw new ShipgraphError(
        'E_CONFIG',
        `${config.file ?? 'config'}: services."${name}" is not a workspace package`,
        {
          hint: `use a package name from the workspace, e.g. ${[...byName.keys()].slice(0, 3).join(', ')}`,
        },
      );
    }
  }

  const allNames = [...byName.keys()];
  return nodes
    .map((node): WorkspacePackage => {
      const edges = new Map<PackageName, EdgeSource>();
      for (const field of DEPENDENCY_FIELDS) {
        const deps = node.manifest?.[field];
        if (deps === null || typeof deps !== 'object') continue;
        for (const dep of Object.keys(deps)) {
          const target = known(dep);
          if (target !== undefined && target !== node.name) edges.set(target, 'package.json');
        }
      }
      applyImplicitDependencies(node, allNames, edges);
      for (const dep of config.services[node.name]?.dependsOn ?? []) {
        const target = known(dep);
        if (target === undefined) {
          throw new ShipgraphError(
            'E_CONFIG',
            `${config.file ?? 'config'}: services."${node.name}".dependsOn names "${dep}", which is not a workspace package`,
            {
              hint: 'list package names from the workspace',
            },
          );
        }
        edges.set(target, 'config');
      }
      return {
        name: node.name,
        dir: node.dir,
        isService:
          node.name in config.services || SERVERLESS_FILES.some((file) => paths.has(`${node.dir}/${file}`)),
        dependsOn: [...edges]
          .map(([name, source]) => ({ name, source }))
          .sort((a, b) => compare(a.name, b.name)),
      };
    })
    .sort((a, b) => compare(a.name, b.name));
}

/** Nx `implicitDependencies`: names or globs add edges, `!name` removes one. */
function applyImplicitDependencies(
  node: Node,
  allNames: PackageName[],
  edges: Map<PackageName, EdgeSource>,
): void {
  const implicit = node.project?.implicitDependencies;
  if (implicit === undefined) return;
  if (!Array.isArray(implicit) || implicit.some((entry) => typeof entry !== 'string')) {
    throw new ShipgraphError(
      'E_WORKSPACE',
      `${node.dir}/project.json: implicitDependencies must be a list of project names`,
    );
  }
  for (const entry of implicit as string[]) {
    const negated = entry.startsWith('!');
    const pattern = negated ? entry.slice(1) : entry;
    const isGlob = /[*?[{]/.test(pattern);
    if (!isGlob && !allNames.includes(pattern)) {
      throw new ShipgraphError(
        'E_WORKSPACE',
        `${node.dir}/project.json: implicit dependency "${entry}" is not a project`,
        {
          hint: 'name a project of the workspace',
        },
      );
    }
    const targets = isGlob ? allNames.filter((name) => picomatch.isMatch(name, pattern)) : [pattern];
    for (const target of targets) {
      if (target === node.name) continue;
      if (negated) edges.delete(target);
      else edges.set(target, 'nx-implicit');
    }
  }
}

async function workspacePatterns(rootFiles: ReadonlyMap<RepoPath, string | null>): Promise<string[] | null> {
  const pnpm = rootFiles.get('pnpm-workspace.yaml');
  if (pnpm != null) {
    const { parse } = await import('yaml');
    let parsed: { packages?: unknown } | null;
    try {
      parsed = parse(pnpm) as { packages?: unknown } | null;
    } catch (error) {
      throw new ShipgraphError(
        'E_WORKSPACE',
        `pnpm-workspace.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    }
    return stringList(parsed?.packages, 'pnpm-workspace.yaml "packages"');
  }
  const manifest = parseJson(rootFiles.get('package.json') ?? null, 'package.json') as Manifest | null;
  const workspaces = manifest?.workspaces;
  if (workspaces === undefined) return null;
  // `workspaces` is either the list itself or `{ packages: [...] }` (Yarn's form).
  const list =
    typeof workspaces === 'object' && workspaces !== null && 'packages' in workspaces
      ? workspaces.packages
      : workspaces;
  return stringList(list, 'package.json "workspaces"');
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((entry): entry is string => typeof entry === 'string')) {
    throw new ShipgraphError('E_WORKSPACE', `${what} must be a list of globs`, {
      hint: 'e.g. ["services/*", "libs/*"]',
    });
  }
  return value;
}

/** A directory matcher for workspace globs such as `services/*`, `./libs/**` and `!**\/fixtures/**`. */
function matcher(patterns: string[]): (dir: RepoPath) => boolean {
  const clean = (pattern: string): string => pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  const include = patterns.filter((p) => !p.startsWith('!')).map(clean);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => clean(p.slice(1)));
  const included = include.length > 0 ? picomatch(include) : () => false;
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return (dir) => included(dir) && !excluded(dir);
}

function parseJson(text: string | null, file: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShipgraphError('E_WORKSPACE', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix ${file}`,
      cause: error,
    });
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
