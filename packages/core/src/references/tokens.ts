// Relative paths in a piece of text, and what a config key says such a path means.
import type { ReferenceForm, WrittenReference } from './written.js';

/** A relative path as written, where it starts in its text, and whether it sits in `${file(...)}`. */
export interface Token {
  text: string;
  start: number;
  inFile: boolean;
}

// A relative path token: starts with ./ or ../, runs until whitespace, a quote, a bracket or a
// separator, and may hold `${...}` variables (`../config.${opt:stage}.yml`).
const TOKEN = /(^|[\s'"`([{,=:])((?:\.\.?\/)(?:[^\s'"`()[\]{},;$]|\$\{[^}]*\})*)/g;
const OUTWARD = /^(?:\.\/)?\.\.\//;
const GLOB = /[*?[]/;

/** The relative paths in `text`; with `outward`, only those that climb out of the folder (`../`). */
export function tokensIn(text: string, outward: boolean): Token[] {
  const found: Token[] = [];
  if (!text.includes('./')) return found;
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index + (match[1] ?? '').length;
    // A trailing dot ends a sentence in a comment, not a path.
    const token = (match[2] ?? '').replace(/\.$/, '');
    if (outward && !OUTWARD.test(token)) continue;
    found.push({ text: token, start, inFile: text.slice(Math.max(0, start - 7), start) === '${file(' });
  }
  return found;
}

/** A written path with its `${...}` variables as `*`, which match anything. */
export const withWildcards = (token: string): string => token.replace(/\$\{[^}]*\}/g, '*');

/** The form of a path: a glob when it holds a pattern (or a variable), else `form`. */
export const formOf = (path: string, form: ReferenceForm): ReferenceForm => (GLOB.test(path) ? 'glob' : form);

/** How a `${file(...)}` reference is shown. */
export const fileMacro = (token: string): string => `\${file(${token})}`;

/** A handler names a module and its export: `../common/handler.main` is the module `../common/handler`. */
export const handlerModule = (path: string): string => path.replace(/\.[^./]*$/, '');

// Values that ship what they name, folders included: the Serverless Framework's package patterns
// (and the older include), a layer's path.
const SHIPS = /(?:^|\.)package\.(?:patterns|include)$|^layers\.[^.]+\.path$/;

/**
 * What a path under a config key (`custom.webpack.webpackConfig`, a YAML or JSON key path) refers
 * to; null for keys whose paths are left out (`package.exclude`, `forceExclude`).
 */
export function configReference(keys: string, token: Token): WrittenReference | null {
  const last = keys.slice(keys.lastIndexOf('.') + 1);
  if (/exclude/i.test(last)) return null;
  const written = token.inFile ? fileMacro(token.text) : token.text;
  const label = keys === '' ? written : `${keys} ${written}`;
  const path = withWildcards(token.text);
  if (token.inFile) return { path, form: formOf(path, 'file'), label };
  if (last === 'handler') {
    const module = handlerModule(path);
    return { path: module, form: formOf(module, 'module'), label };
  }
  const form = last === 'plugins' || last === 'presets' ? 'module' : SHIPS.test(keys) ? 'ship' : 'file';
  return { path, form: formOf(path, form), label };
}
