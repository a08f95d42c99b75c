// The repository root's tooling: what every deploy installs and runs with, whatever the lockfile says.
import type { RepoPath } from '../types.js';

/** Root files whose settings change what the package manager installs for every package. */
export const TOOLING_FILES: readonly RepoPath[] = [
  'package.json',
  'pnpm-workspace.yaml',
  '.npmrc',
  '.yarnrc.yml',
  '.yarnrc',
  '.pnpmfile.cjs',
];

/**
 * The root package.json fields that decide what is installed: its own dependencies (the Serverless
 * Framework, plugins, bundlers), the package manager, and the overrides every package resolves with.
 */
const MANIFEST_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'packageManager',
  'resolutions',
  'overrides',
  'pnpm',
  'dependenciesMeta',
];

/**
 * Each tooling setting of the root as canonical text, labelled for a reason (`package.json
 * devDependencies`, `pnpm-workspace.yaml catalog`, `.npmrc`). Settings that are not there are left
 * out. pnpm-workspace.yaml counts but for `packages`, which says where packages are, not what they install.
 */
export async function rootTooling(files: ReadonlyMap<RepoPath, string | null>): Promise<Map<string, string>> {
  const settings = new Map<string, string>();
  for (const file of TOOLING_FILES) {
    const text = files.get(file) ?? null;
    if (text === null) continue;
    if (file === 'package.json' || file === 'pnpm-workspace.yaml') {
      const parsed = file === 'package.json' ? parseJsonObject(text) : await parseYamlObject(text);
      if (parsed === null) {
        settings.set(file, text);
        continue;
      }
      const fields =
        file === 'package.json' ? MANIFEST_FIELDS : Object.keys(parsed).filter((key) => key !== 'packages');
      for (const field of fields) {
        if (parsed[field] !== undefined) settings.set(`${file} ${field}`, canonical(parsed[field]));
      }
    } else {
      settings.set(file, text);
    }
  }
  return settings;
}

/** The settings that differ between two commits, sorted. */
export function toolingChanges(
  base: ReadonlyMap<string, string>,
  head: ReadonlyMap<string, string>,
): string[] {
  const labels = new Set([...base.keys(), ...head.keys()]);
  return [...labels].filter((label) => base.get(label) !== head.get(label)).sort();
}

/** One string for fingerprints. */
export const toolingSignature = (settings: ReadonlyMap<string, string>): string =>
  [...settings]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, value]) => `${label}\0${value}\n`)
    .join('');

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

async function parseYamlObject(text: string): Promise<Record<string, unknown> | null> {
  const { parse } = await import('yaml');
  try {
    const parsed: unknown = parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** JSON with keys sorted, so that reordering a field is not a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
