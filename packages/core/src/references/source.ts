// What a JS/TS line refers to: module specifiers, handlers, bundler entries, and paths in strings.
import { fileMacro, formOf, handlerModule, tokensIn, withWildcards } from './tokens.js';
import type { ReferenceForm, WrittenReference } from './written.js';

// What comes just before a quoted specifier, and what --explain calls it.
const MODULE_CALLS: [RegExp, string][] = [
  [/\bimport\s*\(\s*$/, 'import()'],
  [/\brequire\.resolve\s*\(\s*$/, 'require.resolve'],
  [/\brequire\s*\(\s*$/, 'require'],
  [/^\s*export\b.*\bfrom\s*$/, 'export'],
  [/(?:\bfrom|^\s*import)\s*$/, 'import'],
];
// The key just before a string: `path: '../layer'`, `patterns: ['../shared/**'`.
const KEY_BEFORE = /([A-Za-z_$][\w$]*)\s*:\s*\[?\s*$/;
// Keys whose folder is shipped or copied whole: package patterns, copy plugins' `from`.
const SHIP_KEYS = new Set(['patterns', 'include', 'from']);

/**
 * The paths a line of JS/TS refers to: every quoted string that starts with `./` or `../`, and every
 * `${file(...)}`. An import, a require, a dynamic import, a handler or a bundler `entry` names a
 * module; `patterns`, `include` and a copy plugin's `from` (and `path`, in a serverless.ts: a layer)
 * may ship a folder; any other string must name a file. `outward` keeps only paths that climb out
 * of the folder.
 */
export function referencesInSourceLine(
  line: string,
  outward: boolean,
  serverlessConfig = false,
): WrittenReference[] {
  const found: WrittenReference[] = [];
  for (const token of tokensIn(line, outward)) {
    const before = line.slice(0, token.start);
    const quote = before.slice(-1);
    if (token.inFile) {
      const path = withWildcards(token.text);
      found.push({ path, form: formOf(path, 'file'), label: fileMacro(token.text) });
      continue;
    }
    if (quote !== "'" && quote !== '"' && quote !== '`') continue;
    const prefix = before.slice(0, -1);
    const quoted = `'${token.text}'`;
    let path = withWildcards(token.text);
    let form: ReferenceForm = 'file';
    let label = quoted;
    const call = MODULE_CALLS.find(([pattern]) => pattern.test(prefix));
    const key = KEY_BEFORE.exec(prefix)?.[1];
    if (call !== undefined) {
      form = 'module';
      label = `${call[1]} ${quoted}`;
    } else if (key === 'handler') {
      path = handlerModule(path);
      form = 'module';
      label = `handler ${quoted}`;
    } else if (/\bentry(?:Points)?\s*:/.test(prefix)) {
      form = 'module';
      label = `entry ${quoted}`;
    } else if (key !== undefined && (SHIP_KEYS.has(key) || (key === 'path' && serverlessConfig))) {
      form = 'ship';
      label = `${key} ${quoted}`;
    }
    found.push({ path, form: formOf(path, form), label });
  }
  return found;
}
