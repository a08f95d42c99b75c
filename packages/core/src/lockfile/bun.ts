// Reads bun.lock (bun's text lockfile): which external packages each workspace package resolves to.
import { parse, type ParseError } from 'jsonc-parser';
import type { RepoPath } from '../types.js';
import { type ClosureScope, type LockfileModel, UnreadableLockfile } from './model.js';

type Dependencies = Record<string, unknown>;

interface BunWorkspace {
  name?: string;
  dependencies?: Dependencies;
  devDependencies?: Dependencies;
  optionalDependencies?: Dependencies;
  peerDependencies?: Dependencies;
}

/** `[name@version, registry, info, integrity]` for npm packages; `[name@workspace:dir]` for workspaces; `[spec, info]` otherwise. */
type BunPackage = unknown[];

interface BunLock {
  lockfileVersion?: unknown;
  workspaces?: Record<string, BunWorkspace>;
  packages?: Record<string, BunPackage>;
}

const DEPENDENCY_GROUPS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

/**
 * Bun keys each installed package by its path in the install tree (`is-odd/is-number` is the
 * is-number under is-odd; `@acme/api/ms` the ms only the workspace @acme/api gets), and resolves a
 * dependency from the deepest key up, as Node walks node_modules.
 */
export function readBunLockfile(text: string): LockfileModel {
  const errors: ParseError[] = [];
  const lock = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0 || lock === null || typeof lock !== 'object') {
    throw new UnreadableLockfile(`not valid JSON (error at offset ${errors[0]?.offset ?? 0})`);
  }
  const { lockfileVersion, packages = {}, workspaces = {} } = lock as BunLock;
  if (![0, 1, 2].includes(Number(lockfileVersion))) {
    throw new UnreadableLockfile(`lockfileVersion ${String(lockfileVersion)} is not supported (need 0 to 2)`);
  }
  const find = (key: string): BunPackage | undefined =>
    Object.hasOwn(packages, key) ? packages[key] : undefined;
  /** The key a dependency `name` of the package at `from` resolves to. */
  const resolveFrom = (from: string[], name: string): string | undefined => {
    for (let depth = from.length; depth >= 0; depth--) {
      const key = [...from.slice(0, depth), name].join('/');
      if (find(key) !== undefined) return key;
    }
    return undefined;
  };
  return {
    closureOf(dir: RepoPath, scope: ClosureScope = 'all'): Set<string> | null {
      const workspace = Object.hasOwn(workspaces, dir) ? workspaces[dir] : undefined;
      if (workspace === undefined) return null;
      const identities = new Set<string>();
      const seen = new Set<string>();
      const queue: string[] = [];
      const visit = (key: string | undefined): void => {
        if (key === undefined || seen.has(key)) return;
        seen.add(key);
        const entry = find(key) ?? [];
        const spec = typeof entry[0] === 'string' ? entry[0] : '?';
        // Workspaces are linked: the workspace graph covers them.
        if (spec.includes('@workspace:')) return;
        const integrity =
          entry.length === 4 && typeof entry[3] === 'string' ? entry[3] : JSON.stringify(entry.slice(1));
        identities.add(`${spec}#${integrity}`);
        queue.push(key);
      };
      // A workspace's own versions are keyed under its name; the root's and shared ones at the top.
      const prefix = dir === '' || workspace.name === undefined ? [] : [workspace.name];
      for (const group of DEPENDENCY_GROUPS) {
        if (scope === 'production' && group === 'devDependencies') continue;
        for (const name of Object.keys(workspace[group] ?? {})) visit(resolveFrom(prefix, name));
      }
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        const entry = find(key) ?? [];
        const info = entry.find(
          (part): part is Record<string, Dependencies> => part !== null && typeof part === 'object',
        );
        for (const group of DEPENDENCY_GROUPS) {
          for (const name of Object.keys(info?.[group] ?? {})) visit(resolveFrom(segments(key), name));
        }
      }
      return identities;
    },
  };
}

/** `is-even/@scope/pkg/ms` → `['is-even', '@scope/pkg', 'ms']`. */
function segments(key: string): string[] {
  const parts = key.split('/');
  const result: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    result.push(part.startsWith('@') && i + 1 < parts.length ? `${part}/${parts[++i] ?? ''}` : part);
  }
  return result;
}
