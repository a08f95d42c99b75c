// Reads yarn.lock, yarn 1 and yarn berry (2+): which external packages each workspace package resolves to.
import { parseSyml } from '@yarnpkg/parsers';
import type { RepoPath } from '../types.js';
import {
  type ClosureScope,
  type LockfileModel,
  type ManifestDependencies,
  type PackageManifests,
  UnreadableLockfile,
} from './model.js';

type Dependencies = Record<string, string>;

interface YarnEntry {
  version?: string;
  resolution?: string;
  resolved?: string;
  integrity?: string;
  checksum?: string;
  linkType?: string;
  dependencies?: Dependencies;
  optionalDependencies?: Dependencies;
}

/**
 * Yarn 1 keeps no entry for workspace packages: a workspace's closure starts from its package.json
 * (dependencies, devDependencies, optionalDependencies; yarn 1 never installs peers), each looked up
 * as `name@range`. Berry lists every workspace as `name@workspace:<dir>`, its dev dependencies merged
 * into `dependencies`.
 */
export function readYarnLockfile(text: string, manifests: PackageManifests): LockfileModel {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseSyml(text);
  } catch (error) {
    throw new UnreadableLockfile(`not a lockfile yarn writes (${firstLine(error)})`);
  }
  const metadata = parsed.__metadata as { version?: unknown; cacheKey?: unknown } | undefined;
  const entries = new Map<string, YarnEntry>();
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '__metadata' || value === null || typeof value !== 'object') continue;
    // Berry keeps descriptors that share an entry in one key; yarn 1's are split by the parser.
    for (const descriptor of key.split(/\s*,\s*/)) entries.set(descriptor, value);
  }
  return metadata === undefined ? classic(entries, manifests) : berry(entries, manifests);
}

function classic(entries: Map<string, YarnEntry>, manifests: PackageManifests): LockfileModel {
  const workspaceNames = new Set(
    [...manifests.values()].map((manifest) => manifest.name).filter((name) => typeof name === 'string'),
  );
  const lookup = byName(entries);
  return {
    closureOf(dir: RepoPath, scope: ClosureScope = 'all'): Set<string> | null {
      const manifest = manifests.get(dir);
      if (manifest === undefined) return null;
      const identities = new Set<string>();
      const seen = new Set<YarnEntry>();
      const queue: YarnEntry[] = [];
      const visit = (name: string, range: unknown, fromWorkspace: boolean): void => {
        if (typeof range !== 'string') return;
        const exact = entries.get(`${name}@${range}`);
        // A workspace package that satisfies the range is linked, never locked.
        if (exact === undefined && fromWorkspace && workspaceNames.has(name)) return;
        for (const [descriptor, entry] of exact === undefined
          ? lookup(name)
          : [[`${name}@${range}`, exact] as const]) {
          if (seen.has(entry)) continue;
          seen.add(entry);
          identities.add(
            `${nameOf(descriptor)}@${entry.version ?? '?'}#${entry.integrity ?? entry.resolved ?? ''}`,
          );
          queue.push(entry);
        }
      };
      const own = [manifest.dependencies, manifest.optionalDependencies];
      for (const deps of scope === 'all' ? [...own, manifest.devDependencies] : own) {
        for (const [name, range] of Object.entries(deps ?? {})) visit(name, range, true);
      }
      for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
        for (const deps of [entry.dependencies, entry.optionalDependencies]) {
          for (const [name, range] of Object.entries(deps ?? {})) visit(name, range, false);
        }
      }
      return identities;
    },
  };
}

function berry(entries: Map<string, YarnEntry>, manifests: PackageManifests): LockfileModel {
  const workspaces = new Map<RepoPath, YarnEntry>();
  const patches = new Map<string, YarnEntry[]>();
  for (const [descriptor, entry] of entries) {
    const workspace = /@workspace:(.*)$/.exec(entry.resolution ?? '');
    if (workspace !== null && entry.linkType === 'soft') {
      workspaces.set(workspace[1] === '.' ? '' : (workspace[1] ?? ''), entry);
    }
    // A patched package (yarn's built-in patches, or one from `resolutions`) is installed instead of the plain one.
    const patched = /^(@?[^@]+)@patch:/.exec(descriptor);
    if (patched !== null) patches.set(patched[1] ?? '', [...(patches.get(patched[1] ?? '') ?? []), entry]);
  }
  const lookup = byName(entries);
  /** The entries `name@range` resolves to, by yarn's rules, or every entry of that name when it cannot tell. */
  const resolve = (name: string, range: string): YarnEntry[] => {
    // Ranges without a protocol are npm's (lockfiles before version 8 write them bare); file:, link:
    // and portal: descriptors are bound to the package that depends on them (`name@range::locator=…`).
    const exact =
      entries.get(`${name}@${range}`) ??
      entries.get(`${name}@npm:${range}`) ??
      (/^(file|link|portal):/.test(range)
        ? lookup(name).find(([descriptor]) => descriptor.startsWith(`${name}@${range}::`))?.[1]
        : undefined);
    // `resolutions` rewrite a descriptor without changing the range its dependents list.
    const found = exact === undefined ? lookup(name).map(([, entry]) => entry) : [exact];
    return [...found, ...(patches.get(name) ?? [])];
  };
  return {
    closureOf(dir: RepoPath, scope: ClosureScope = 'all'): Set<string> | null {
      const workspace = workspaces.get(dir);
      if (workspace === undefined) return null;
      const devOnly = scope === 'production' ? devOnlyNames(manifests.get(dir)) : new Set<string>();
      const identities = new Set<string>();
      const seen = new Set<YarnEntry>([workspace]);
      const queue: YarnEntry[] = [workspace];
      for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
        for (const deps of [entry.dependencies, entry.optionalDependencies]) {
          for (const [name, range] of Object.entries(deps ?? {})) {
            if (entry === workspace && devOnly.has(name)) continue;
            for (const found of resolve(name, range)) {
              if (seen.has(found)) continue;
              seen.add(found);
              // Workspaces are linked: the workspace graph covers them.
              if (found.linkType === 'soft' && /@workspace:/.test(found.resolution ?? '')) continue;
              // The checksum is of yarn's own archive, prefixed by its cache key, which a yarn upgrade changes.
              identities.add(`${found.resolution ?? '?'}#${(found.checksum ?? '').replace(/^[^/]*\//, '')}`);
              queue.push(found);
            }
          }
        }
      }
      return identities;
    },
  };
}

/**
 * The names a workspace's package.json lists only as devDependencies: berry merges them into the
 * workspace entry's dependencies. Without its package.json, none (every dependency counts).
 */
function devOnlyNames(manifest: ManifestDependencies | undefined): Set<string> {
  const runs = new Set(
    [manifest?.dependencies, manifest?.optionalDependencies].flatMap((deps) => Object.keys(deps ?? {})),
  );
  return new Set(Object.keys(manifest?.devDependencies ?? {}).filter((name) => !runs.has(name)));
}

/** Every entry of a package name, for a descriptor the lockfile does not list as such. */
function byName(entries: Map<string, YarnEntry>): (name: string) => [string, YarnEntry][] {
  let index: Map<string, [string, YarnEntry][]> | null = null;
  return (name) => {
    if (index === null) {
      index = new Map();
      for (const [descriptor, entry] of entries) {
        const key = nameOf(descriptor);
        index.set(key, [...(index.get(key) ?? []), [descriptor, entry]]);
      }
    }
    return index.get(name) ?? [];
  };
}

/** `@scope/name@range` → `@scope/name`. */
const nameOf = (descriptor: string): string => descriptor.slice(0, descriptor.indexOf('@', 1));

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
