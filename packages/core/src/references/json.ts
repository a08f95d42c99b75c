// What a JSON file refers to, by key (serverless.json, babel configs), and a tsconfig's `extends` and `references`.
import { configReference, tokensIn } from './tokens.js';
import type { WrittenReference } from './written.js';

/** JSON with comments and trailing commas (tsconfig.json, .babelrc); undefined when it is not even that. */
export function parseJsonc(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Drops comments outside strings, then commas before a closing bracket.
    const plain = text
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, string?: string) => string ?? '')
      .replace(
        /("(?:[^"\\]|\\.)*")|,(\s*[}\]])/g,
        (_, string?: string, close?: string) => string ?? close ?? '',
      );
    try {
      return JSON.parse(plain) as unknown;
    } catch {
      return undefined;
    }
  }
}

/**
 * The references of a JSON file, each named by the keys it is under (list items by their list's
 * key). A file that does not parse is read as plain text, every path under no key.
 */
export function referencesInJson(text: string, outward: boolean): WrittenReference[] {
  const value = parseJsonc(text);
  const found: WrittenReference[] = [];
  const visit = (node: unknown, keys: string): void => {
    if (typeof node === 'string') {
      for (const token of tokensIn(node, outward)) {
        const reference = configReference(keys, token);
        if (reference !== null) found.push(reference);
      }
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, keys);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, item] of Object.entries(node)) visit(item, keys === '' ? key : `${keys}.${key}`);
    }
  };
  visit(value === undefined ? text : value, '');
  return found;
}

/**
 * What a tsconfig.json or jsconfig.json builds with from elsewhere: `extends` (a path, or a
 * package's file; a list since TypeScript 5.0) and project `references`. Its other paths (`include`,
 * `outDir`, `paths`) say what it compiles or where to, not what a service ships.
 */
export function referencesInTsconfig(text: string, outward: boolean): WrittenReference[] {
  const config = parseJsonc(text);
  if (typeof config !== 'object' || config === null) return [];
  const { extends: extended, references } = config as { extends?: unknown; references?: unknown };
  const found: WrittenReference[] = [];
  const relative = (path: string): boolean => (outward ? path.startsWith('../') : /^\.\.?\//.test(path));
  for (const path of [extended].flat()) {
    if (typeof path !== 'string' || path === '') continue;
    // A bare name is a package's file (`@tsconfig/node20/tsconfig.json`): another workspace package, maybe.
    if (relative(path) || !/^[./]/.test(path))
      found.push({ path, form: 'extends', label: `extends ${path}` });
  }
  for (const reference of Array.isArray(references) ? (references as unknown[]) : []) {
    const path = (reference as { path?: unknown } | null)?.path;
    if (typeof path === 'string' && relative(path))
      found.push({ path, form: 'project', label: `references ${path}` });
  }
  return found;
}
