// Reads pnpm-lock.yaml (5.x, 6 and 9): which external packages each importer resolves to.
import { parse } from 'yaml';
import type { RepoPath } from '../types.js';
import { type ClosureScope, type LockfileModel, UnreadableLockfile } from './model.js';

type DepMap = Record<string, string | { version?: string }>;

interface Importer {
  dependencies?: DepMap;
  devDependencies?: DepMap;
  optionalDependencies?: DepMap;
}

interface PnpmPackage {
  resolution?: { integrity?: string; tarball?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface PnpmLock extends Importer {
  lockfileVersion?: unknown;
  importers?: Record<string, Importer>;
  packages?: Record<string, PnpmPackage>;
  snapshots?: Record<string, PnpmPackage>;
}

export function readPnpmLockfile(text: string): LockfileModel {
  let lock: PnpmLock;
  try {
    lock = (parse(text) ?? {}) as PnpmLock;
  } catch (error) {
    throw new UnreadableLockfile(`not valid YAML (${(error as Error).message})`);
  }
  const major = Number.parseInt(String(lock.lockfileVersion), 10);
  if (major !== 5 && major !== 6 && major !== 9) {
    throw new UnreadableLockfile(
      `lockfileVersion ${String(lock.lockfileVersion)} is not supported (need 5.x, 6 or 9)`,
    );
  }
  const packages = lock.packages ?? {};
  // v9 splits metadata (packages) from resolved dependencies (snapshots); v5 and v6 keep both in
  // packages, keyed `/name/version` (pnpm 6 and 7) and `/name@version` (pnpm 8).
  const graph = major === 9 ? (lock.snapshots ?? {}) : packages;
  const keyOf = (name: string, version: string): string => {
    // An npm: alias is a whole key already (`/string-width/4.2.3` in v5, `/string-width@4.2.3` in v6).
    if (version.startsWith('/')) return version;
    // v5: a version, maybe with a peer suffix (`18.2.0_react@18.2.0`); anything with a slash is a key.
    if (major === 5) return version.includes('/') ? version : `/${name}/${version}`;
    // An alias in v9 is `name@version`; a peer suffix `18.2.0(react@18.2.0)` has an @ that does not count.
    const isAlias = version.replace(/\(.*$/, '').lastIndexOf('@') > 0;
    const full = isAlias ? version : `${name}@${version}`;
    return major === 9 ? full : `/${full}`;
  };
  const integrityOf = (key: string): string => {
    const peerless = key.replace(/\(.*$/, '');
    const resolution = packages[peerless]?.resolution ?? packages[key]?.resolution;
    return resolution?.integrity ?? resolution?.tarball ?? '';
  };

  return {
    closureOf(dir: RepoPath, scope: ClosureScope = 'all'): Set<string> | null {
      // A lockfile of one project (no workspace) lists the root's dependencies at the top.
      const importer =
        lock.importers === undefined && dir === '' ? lock : lock.importers?.[dir === '' ? '.' : dir];
      if (importer === undefined) return null;
      const identities = new Set<string>();
      const queue: string[] = [];
      const visit = (name: string, version: string): void => {
        if (version.startsWith('link:') || version.startsWith('file:') || version.startsWith('workspace:'))
          return;
        const key = keyOf(name, version);
        const identity = `${key}#${integrityOf(key)}`;
        if (identities.has(identity)) return;
        identities.add(identity);
        queue.push(key);
      };
      const own = [importer.dependencies, importer.optionalDependencies];
      for (const deps of scope === 'all' ? [...own, importer.devDependencies] : own) {
        for (const [name, spec] of Object.entries(deps ?? {})) {
          const version = typeof spec === 'string' ? spec : spec.version;
          if (version !== undefined) visit(name, version);
        }
      }
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        const entry = graph[key];
        for (const deps of [entry?.dependencies, entry?.optionalDependencies]) {
          for (const [name, version] of Object.entries(deps ?? {})) visit(name, version);
        }
      }
      return identities;
    },
  };
}
