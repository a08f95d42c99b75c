// Reads package-lock.json (v2/v3): which external packages each workspace package resolves to.
import type { RepoPath } from '../types.js';
import { type ClosureScope, type LockfileModel, UnreadableLockfile } from './model.js';

interface NpmEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export function readNpmLockfile(text: string): LockfileModel {
  let parsed: { lockfileVersion?: unknown; packages?: Record<string, NpmEntry> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw new UnreadableLockfile(`not valid JSON (${(error as Error).message})`);
  }
  const version = parsed.lockfileVersion;
  if (version !== 2 && version !== 3) {
    throw new UnreadableLockfile(`lockfileVersion ${String(version)} is not supported (need 2 or 3)`);
  }
  const entries = parsed.packages ?? {};

  const resolve = (from: string, dep: string): string | undefined => {
    // Node's lookup: from/node_modules/dep, then each parent directory's node_modules/dep.
    let dir = from;
    for (;;) {
      const key = dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`;
      if (key in entries) return key;
      if (dir === '') return undefined;
      const slash = dir.lastIndexOf('/');
      dir = slash < 0 ? '' : dir.slice(0, slash);
    }
  };

  return {
    closureOf(dir: RepoPath, scope: ClosureScope = 'all'): Set<string> | null {
      const root = entries[dir];
      if (root === undefined) return null;
      const seen = new Set<string>();
      const identities = new Set<string>();
      const queue: [string, NpmEntry, boolean][] = [[dir, root, true]];
      for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
        const [key, entry, isWorkspace] = item;
        const names = dependencyNames(entry, isWorkspace && scope === 'all');
        for (const name of names) {
          const found = resolve(key, name);
          if (found === undefined || seen.has(found)) continue;
          seen.add(found);
          const child = entries[found];
          // Links point at workspace packages; the workspace graph covers those.
          if (child === undefined || child.link === true) continue;
          identities.add(`${name}@${child.version ?? '?'}#${child.integrity ?? child.resolved ?? ''}`);
          queue.push([found, child, false]);
        }
      }
      return identities;
    },
  };
}

function dependencyNames(entry: NpmEntry, withDev: boolean): string[] {
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}),
    ...(withDev ? Object.keys(entry.devDependencies ?? {}) : []),
  ];
}
