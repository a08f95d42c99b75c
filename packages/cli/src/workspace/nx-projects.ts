// Nx's own rules for finding and naming projects, which changed over Nx's versions (read in its source).
import type { RepoPath } from '@shipgraph/core';

/** The rules of the Nx version the workspace uses. */
export interface NxRules {
  /** The version read from the root package.json, for --explain; null when none is given. */
  version: string | null;
  /**
   * workspace.json, when there is one: the only source of projects before Nx 15, merged with
   * project.json files found by glob (workspace.json winning) until 15.6, ignored from 15.7.
   */
  workspaceJson: 'only' | 'merged' | 'ignored';
  /**
   * Name of a project.json without "name": before 15.0.11 its folder path with the apps/libs
   * folder dropped, joined with `-`; then its folder's name; from 19.3 the package.json beside it
   * (`nx.name`, then `name`) first.
   */
  unnamedProject: 'layout' | 'folder' | 'package-then-folder';
  /** Before Nx 17, a package.json project named `@<npmScope>/x` is the project `x`. */
  stripsNpmScope: boolean;
}

type Version = [number, number, number];

const NX_PACKAGES = ['nx', '@nrwl/workspace', '@nx/workspace', '@nrwl/cli', '@nrwl/tao'];
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies'] as const;

/** The Nx version the root package.json asks for (the lowest its range allows), and its rules. */
export function nxRules(rootManifest: unknown, hasWorkspaceJson: boolean): NxRules {
  const spec = nxVersionSpec(rootManifest);
  const parsed = spec === null ? null : /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(spec);
  // Without a version: a workspace.json means an Nx that still read it (15.0–15.6 reads both sources).
  const version: Version | null =
    parsed === null
      ? hasWorkspaceJson
        ? [15, 6, 0]
        : null
      : [Number(parsed[1]), Number(parsed[2] ?? 0), Number(parsed[3] ?? 0)];
  const before = (other: Version): boolean => version !== null && compareVersions(version, other) < 0;
  return {
    version: spec,
    workspaceJson: before([15, 0, 0]) ? 'only' : before([15, 7, 0]) ? 'merged' : 'ignored',
    unnamedProject: before([15, 0, 11]) ? 'layout' : before([19, 3, 0]) ? 'folder' : 'package-then-folder',
    stripsNpmScope: before([17, 0, 0]),
  };
}

function nxVersionSpec(rootManifest: unknown): string | null {
  if (rootManifest === null || typeof rootManifest !== 'object') return null;
  for (const name of NX_PACKAGES) {
    for (const field of DEPENDENCY_FIELDS) {
      const deps = (rootManifest as Record<string, unknown>)[field];
      const spec = deps !== null && typeof deps === 'object' ? (deps as Record<string, unknown>)[name] : null;
      if (typeof spec === 'string') return spec;
    }
  }
  return null;
}

const compareVersions = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The name Nx gives a project.json without "name" in `dir`. */
export function unnamedProjectName(
  rules: NxRules,
  dir: RepoPath,
  packageJson: { name?: unknown; nx?: unknown } | null,
  layout: { appsDir: string; libsDir: string },
): string {
  const parts = dir.split('/');
  if (rules.unnamedProject === 'layout') {
    if (parts[0] === layout.appsDir || parts[0] === layout.libsDir) parts.shift();
    return parts.join('-').toLowerCase();
  }
  if (rules.unnamedProject === 'package-then-folder') {
    const nxName = (packageJson?.nx as { name?: unknown } | undefined)?.name;
    if (typeof nxName === 'string' && nxName !== '') return nxName;
    if (typeof packageJson?.name === 'string' && packageJson.name !== '') return packageJson.name;
  }
  return (parts[parts.length - 1] ?? dir).toLowerCase();
}

/** The name Nx gives a package.json project (one without project.json); null when it has none. */
export function packageProjectName(
  rules: NxRules,
  packageJson: { name?: unknown; nx?: unknown },
  npmScope: string | null,
): string | null {
  const nxName = (packageJson.nx as { name?: unknown } | undefined)?.name;
  if (typeof nxName === 'string' && nxName !== '') return nxName;
  const name = packageJson.name;
  if (typeof name !== 'string' || name === '') return null;
  if (rules.stripsNpmScope && npmScope !== null && name.startsWith(`@${npmScope}/`)) {
    return name.slice(npmScope.length + 2);
  }
  return name;
}

/**
 * workspace.json's projects: name → folder. A value is the folder itself, or an inline
 * configuration with its `root`.
 */
export function workspaceJsonProjects(parsed: unknown): Map<string, RepoPath> {
  const projects = new Map<string, RepoPath>();
  const entries = (parsed as { projects?: unknown } | null)?.projects;
  if (entries === null || typeof entries !== 'object') return projects;
  for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
    const root = typeof value === 'string' ? value : (value as { root?: unknown } | null)?.root;
    if (typeof root === 'string') projects.set(name, root.replace(/^\.\//, '').replace(/\/+$/, ''));
  }
  return projects;
}

/**
 * What Nx (16.4 and later) skips when it walks the workspace for project files: `node_modules` and
 * `.git` anywhere, and whatever a `.gitignore` or `.nxignore` in the folder or above it ignores,
 * with gitignore's rules.
 */
export async function nxIgnoredPaths(
  ignoreFiles: ReadonlyMap<RepoPath, string>,
): Promise<(path: RepoPath) => boolean> {
  const { default: ignore } = await import('ignore');
  const rules: { dir: RepoPath; matcher: ReturnType<typeof ignore> }[] = [];
  for (const [file, text] of ignoreFiles) {
    const slash = file.lastIndexOf('/');
    rules.push({ dir: slash < 0 ? '' : file.slice(0, slash), matcher: ignore().add(text) });
  }
  return (path) => {
    if (/(^|\/)(node_modules|\.git)\//.test(path)) return true;
    for (const { dir, matcher } of rules) {
      if (dir !== '' && !path.startsWith(`${dir}/`)) continue;
      if (matcher.ignores(dir === '' ? path : path.slice(dir.length + 1))) return true;
    }
    return false;
  };
}
