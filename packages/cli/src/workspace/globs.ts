// Which folders hold workspace packages: the package manager's workspaces and lerna's packages.
import { type RepoPath } from '@shipgraph/core';
import { parseJson } from './json.js';
import { CliError } from '../errors.js';

/** The globs of package folders, and the files they came from (for --explain). */
export interface WorkspaceGlobs {
  patterns: string[];
  sources: string[];
  /** The globs a file names (not a default), with that file: one that matches nothing is a typo. */
  declared: { pattern: string; file: string }[];
}

/**
 * The union Nx takes (its package-json plugin), which also covers each tool on its own: package.json
 * `workspaces` (a list, or yarn's `{ packages }`), pnpm-workspace.yaml `packages`, and lerna's
 * `packages` (lerna.json, or a "lerna" key in package.json), `packages/*` when lerna names none.
 */
export async function workspaceGlobs(
  rootFiles: ReadonlyMap<RepoPath, string | null>,
  files: ReadonlySet<RepoPath>,
): Promise<WorkspaceGlobs> {
  const patterns: string[] = [];
  const sources: string[] = [];
  const declared: WorkspaceGlobs['declared'] = [];
  const declare = (list: string[], file: string): string[] => {
    declared.push(
      ...list.filter((pattern) => !pattern.startsWith('!')).map((pattern) => ({ pattern, file })),
    );
    return list;
  };
  const manifest = parseJson(rootFiles.get('package.json') ?? null, 'package.json') as Record<
    string,
    unknown
  > | null;
  if (manifest !== null && (typeof manifest !== 'object' || Array.isArray(manifest))) {
    throw new CliError('E_WORKSPACE', 'package.json must be a JSON object', {
      hint: 'fix package.json',
    });
  }
  const workspaces = manifest?.workspaces;
  if (manifest !== null && workspaces !== undefined) {
    const list =
      workspaces !== null && typeof workspaces === 'object' && 'packages' in workspaces
        ? workspaces.packages
        : workspaces;
    patterns.push(...declare(stringList(list, 'package.json "workspaces"'), 'package.json "workspaces"'));
    sources.push(`${packageManagerOf(manifest, files)} workspaces`);
  }
  const pnpm = rootFiles.get('pnpm-workspace.yaml');
  if (pnpm != null) {
    const parsed = await parseYaml(pnpm, 'pnpm-workspace.yaml');
    patterns.push(
      ...declare(stringList(parsed?.packages ?? [], 'pnpm-workspace.yaml "packages"'), 'pnpm-workspace.yaml'),
    );
    // package.json "workspaces" read by pnpm too: one source, from both files.
    const both = sources.indexOf('pnpm workspaces');
    if (both >= 0) sources[both] = 'pnpm workspaces (package.json and pnpm-workspace.yaml)';
    else sources.push('pnpm workspace');
  }
  const lernaText = rootFiles.get('lerna.json');
  const lerna = (lernaText != null ? parseJson(lernaText, 'lerna.json') : manifest?.lerna) as
    { packages?: unknown } | null | undefined;
  if (lerna !== undefined) {
    const packages = lerna?.packages;
    const where = lernaText != null ? 'lerna.json' : 'package.json "lerna"';
    const list = packages === undefined ? [] : declare(stringList(packages, `${where} "packages"`), where);
    patterns.push(...(list.length > 0 ? list : ['packages/*']));
    sources.push('lerna');
  }
  return { patterns, sources, declared };
}

/** Which package manager reads `workspaces`: the packageManager field, else the lockfile. */
function packageManagerOf(manifest: Record<string, unknown>, files: ReadonlySet<RepoPath>): string {
  const declared = typeof manifest.packageManager === 'string' ? manifest.packageManager : '';
  const name = /^(npm|yarn|pnpm|bun)@/.exec(declared)?.[1];
  if (name !== undefined) return name;
  if (files.has('yarn.lock')) return 'yarn';
  if (files.has('bun.lock') || files.has('bun.lockb')) return 'bun';
  return 'npm';
}

async function parseYaml(text: string, file: string): Promise<{ packages?: unknown } | null> {
  const { parse } = await import('yaml');
  try {
    return parse(text) as { packages?: unknown } | null;
  } catch (error) {
    const message = (error as Error).message.replace(/:?\s*\n[\s\S]*$/, '');
    throw new CliError('E_WORKSPACE', `${file} is not valid YAML: ${message}`, {
      hint: `fix ${file}`,
      cause: error,
    });
  }
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((entry): entry is string => typeof entry === 'string')) {
    throw new CliError('E_WORKSPACE', `${what} must be a list of globs`, {
      hint: 'list folder globs, e.g. ["services/*", "libs/*"]',
    });
  }
  return value;
}
