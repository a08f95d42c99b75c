// References to files outside a package that its own files make: serverless `${file(...)}` paths,
// package patterns, handler and plugin config paths, relative imports. Static text analysis only.
import picomatch from 'picomatch';
import type { ExternalInput, RepoPath } from '../types.js';

/** How a file's text is read for references. */
export type ReferringKind = 'source' | 'config';

const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const CONFIG = /\.(?:ya?ml|json)$/;
const SERVERLESS_CONFIG = /(?:^|\/)serverless\.(?:ya?ml|json)$/;

/**
 * Whether a file can refer to others, and how: JS/TS files (serverless.ts and .js included) as
 * source, serverless.yml/.yaml/.json as config, and other YAML and JSON files as config when a
 * reference reached them.
 */
export function referringKind(path: RepoPath, reached = false): ReferringKind | null {
  if (SOURCE.test(path)) return 'source';
  if (SERVERLESS_CONFIG.test(path) || (reached && CONFIG.test(path))) return 'config';
  return null;
}

/** One reference as written: the path it names (relative to the file), and how to read it. */
export interface WrittenReference {
  /** The relative path, with `${...}` variables turned into `*`. */
  path: string;
  /** The text shown as `via`, e.g. `${file(../common/env.yml)}` or `'../../common/db'`. */
  written: string;
  /** `module`: an import or a handler, written without its extension; `file`: a file or folder; `glob`. */
  form: 'module' | 'file' | 'glob';
}

// A relative path token: starts with ./ or ../, runs until whitespace, a quote, a bracket or a
// separator, and may hold `${...}` variables (`../config.${opt:stage}.yml`).
const TOKEN = /(^|[\s'"`([{,=:])((?:\.\.?\/)(?:[^\s'"`()[\]{},;$]|\$\{[^}]*\})*)/g;

/**
 * The relative paths a line refers to. In source files, every quoted string that starts with `./`
 * or `../` (an import, a require, a path joined at run time, a config's path) and every
 * `${file(...)}`; in config files, every path token. `outward` keeps only paths that climb out of
 * the folder (`../`), which is all that matters for a file inside a package.
 */
export function referencesInLine(line: string, kind: ReferringKind, outward: boolean): WrittenReference[] {
  const found: WrittenReference[] = [];
  const isHandler = kind === 'config' && /^\s*["']?handler["']?\s*:/.test(line);
  for (const match of line.matchAll(TOKEN)) {
    const before = match[1] ?? '';
    let token = match[2] ?? '';
    const start = match.index + before.length;
    const inFile = line.slice(Math.max(0, start - 7), start) === '${file(';
    if (kind === 'source' && !inFile && !`'"\``.includes(before)) continue;
    // A trailing dot ends a sentence in a comment, not a path.
    token = token.replace(/\.$/, '');
    if (outward && !/^(?:\.\/)?\.\.\//.test(token)) continue;
    let path = token.replace(/\$\{[^}]*\}/g, '*');
    // A handler names a module and its export: `../common/handler.main` is the module `../common/handler`.
    if (isHandler) path = path.replace(/\.[^./]*$/, '');
    found.push({
      path,
      written: inFile ? `\${file(${token})}` : token,
      form: /[*?[]/.test(path) ? 'glob' : kind === 'source' || isHandler ? 'module' : 'file',
    });
  }
  return found;
}

/** A written reference resolved against the repository: null when it leaves the repository. */
export function resolveReference(
  from: RepoPath,
  written: WrittenReference,
): { path: RepoPath; form: WrittenReference['form'] } | null {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of written.path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return { path: parts.join('/'), form: written.form };
}

/** The external inputs a resolved reference stands for. */
export function inputsFor(
  resolved: { path: RepoPath; form: WrittenReference['form'] },
  via: string,
): ExternalInput[] {
  const { path, form } = resolved;
  if (form === 'glob') return [{ path, match: 'glob', via }];
  // A module is the file, the file with an extension, or a folder with an index; a file may be a folder too.
  return [
    { path, match: 'exact', via },
    ...(form === 'module' ? [{ path, match: 'stem' as const, via }] : []),
    { path, match: 'tree', via },
  ];
}

/** The folder part of a glob that no file outside it can match (`common/*.yml` → `common`). */
export const globBase = (glob: string): RepoPath => picomatch.scan(glob).base;
