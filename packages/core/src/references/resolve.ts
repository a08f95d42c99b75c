// Where a written reference leads: files outside every package, another package, a shipped folder, the root lockfile, or nowhere, and why.
import { LOCKFILES } from '../lockfile/files.js';
import type { PackageName, RepoPath } from '../types.js';
import type { HeadTree } from './tree.js';
import { referringKind, type ReferringKind, type WrittenReference } from './written.js';

/** One thing a reference reaches. */
export type Reached =
  /** A file outside every package: an input, read for what it refers to in turn (as `readAs`). */
  | { kind: 'file'; path: RepoPath; readAs: ReferringKind | null }
  /** A folder outside every package that is shipped whole. */
  | { kind: 'folder'; path: RepoPath }
  | { kind: 'glob'; glob: string }
  /** A file or folder of a package (`path`): an edge to it. */
  | { kind: 'package'; name: PackageName; path: RepoPath }
  /** The repository's lockfile: what it means for a package is the package's resolved dependencies. */
  | { kind: 'lockfile'; path: RepoPath }
  | { kind: 'none'; why: string };

/** Where a reference leads, and the path it names (null when it leaves the repository, or names a package). */
export interface Resolution {
  path: RepoPath | null;
  reached: Reached[];
}

/** The workspace around the tree, as resolution needs it. */
export interface Layout {
  tree: HeadTree;
  /** The deepest package whose folder holds a file; for a folder, pass `folder/`. */
  ownerOf(path: RepoPath): PackageName | undefined;
  /** The workspace package of a name, for a tsconfig `extends` of a package's file. */
  packageNamed(name: string): { name: PackageName; dir: RepoPath } | undefined;
  /** Whether a folder holds the folders of workspace packages (`services/` of `services/*`). */
  holdsPackages(folder: RepoPath): boolean;
}

const none = (path: RepoPath | null, why: string): Resolution => ({ path, reached: [{ kind: 'none', why }] });
const JS_EXTENSION = /\.[cm]?jsx?$/;

/** Resolves a reference written in `from` (a repository path) against the tree at head. */
export function resolveReference(from: RepoPath, written: WrittenReference, layout: Layout): Resolution {
  if (written.form === 'extends' && !/^\.\.?\//.test(written.path)) return packageFile(written.path, layout);
  const path = join(from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '', written.path);
  if (path === null) return none(null, 'outside the repository');
  if (/(?:^|\/)node_modules(?:\/|$)/.test(path)) return none(path, 'inside node_modules');
  if (written.form === 'glob') return { path, reached: [{ kind: 'glob', glob: path }] };
  const files = filesNamed(path, written.form, layout.tree);
  if (files.length > 0) {
    const readAs = written.form === 'extends' || written.form === 'project' ? 'tsconfig' : null;
    return { path, reached: files.map((file) => reachedFile(file, readAs, layout)) };
  }
  if (!layout.tree.isFolder(path)) return none(path, 'no such file');
  if (path === '') return none(path, 'the repository root');
  if (layout.holdsPackages(path)) return none(path, 'a folder that holds workspace packages');
  const owner = layout.ownerOf(`${path}/`);
  // An import of a package's folder is an import of the package (its package.json `main`).
  const isPackage = owner !== undefined && layout.packageNamed(owner)?.dir === path;
  if (written.form === 'ship' || (written.form === 'module' && isPackage)) {
    return {
      path,
      reached: [owner === undefined ? { kind: 'folder', path } : { kind: 'package', name: owner, path }],
    };
  }
  return none(path, 'a folder, not a file');
}

/** The existing files a path names, as its form reads it (module resolution as Node and TypeScript do it). */
function filesNamed(path: RepoPath, form: WrittenReference['form'], tree: HeadTree): RepoPath[] {
  if (tree.isFile(path)) return [path];
  switch (form) {
    case 'module': {
      const named = [...tree.withExtension(path), ...tree.withExtension(`${path}.d`)];
      // TypeScript reads `./db.js` as ./db.ts.
      if (named.length === 0 && JS_EXTENSION.test(path))
        named.push(...tree.withExtension(path.replace(JS_EXTENSION, '')));
      if (named.length === 0 && path !== '') named.push(...tree.withExtension(`${path}/index`));
      return named;
    }
    case 'extends':
      return !path.endsWith('.json') && tree.isFile(`${path}.json`) ? [`${path}.json`] : [];
    case 'project':
      return tree.isFile(`${path}/tsconfig.json`) ? [`${path}/tsconfig.json`] : [];
    default:
      return [];
  }
}

function reachedFile(file: RepoPath, readAs: ReferringKind | null, layout: Layout): Reached {
  if (LOCKFILES.includes(file)) return { kind: 'lockfile', path: file };
  const owner = layout.ownerOf(file);
  if (owner !== undefined) return { kind: 'package', name: owner, path: file };
  return { kind: 'file', path: file, readAs: readAs ?? referringKind(file, true) };
}

/** A tsconfig `extends` of a package's file: a workspace package's, else the registry's (nothing to follow). */
function packageFile(spec: string, layout: Layout): Resolution {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
  const pkg = layout.packageNamed(name);
  if (pkg === undefined) return { path: null, reached: [] };
  const rest = spec.slice(name.length);
  return { path: null, reached: [{ kind: 'package', name: pkg.name, path: `${pkg.dir}${rest}` }] };
}

/** `relative` joined to `dir`: null when it climbs out of the repository. */
export function join(dir: RepoPath, relative: string): RepoPath | null {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
