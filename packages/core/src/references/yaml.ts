// What a YAML file refers to, by the key each path is written under (serverless.yml and the files it reaches).
import { configReference, tokensIn } from './tokens.js';
import type { WrittenReference } from './written.js';

// A block mapping key: plain or quoted, up to the first `:` followed by a space or the line's end.
const KEY = /^("[^"]*"|'[^']*'|[^\s"'#{[\]}|>-][^#]*?)\s*:(?:\s+|$)/;
// The last key of a flow mapping before a path on the same line: `{ patterns: ['../shared/**'] }`.
const FLOW_KEY = /([\w$-]+)\s*:\s*[[{]?[^:]*$/;

/**
 * The references of a YAML document's text. Each path is named by the keys it is written under
 * (`custom.webpack.includeModules.nodeModulesRelativeDir`), list items by their list's key; block
 * scalars (`|`, `>`) are text, not keys.
 */
export function referencesInYaml(text: string, outward: boolean): WrittenReference[] {
  const found: WrittenReference[] = [];
  const stack: { indent: number; key: string; opens: boolean }[] = [];
  let scalarIndent: number | null = null;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const content = line.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    if (scalarIndent !== null && indent > scalarIndent) {
      if (line.includes('./')) found.push(...onLine(line, 0, stack, outward));
      continue;
    }
    scalarIndent = null;
    // A list item's own key sits after its dash: `- path: ../layer`.
    const dashes = /^(?:-(?:\s+|$))*/.exec(content)?.[0] ?? '';
    const item = dashes !== '';
    const column = indent + dashes.length;
    const rest = content.slice(dashes.length);
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      // A list may sit at its key's own indent (`patterns:` then `- ../shared`).
      if (top.indent < indent || (top.indent === indent && item && top.opens)) break;
      stack.pop();
    }
    const key = KEY.exec(rest);
    let valueStart = column;
    if (key !== null) {
      const value = rest.slice(key[0].length).trim();
      const name = (key[1] ?? '').replace(/^["']|["']$/g, '');
      stack.push({ indent: column, key: name, opens: value === '' || value.startsWith('#') });
      if (/^[|>]/.test(value)) scalarIndent = column;
      valueStart = column + key[0].length;
    }
    if (line.includes('./')) found.push(...onLine(line, valueStart, stack, outward));
  }
  return found;
}

function onLine(
  line: string,
  valueStart: number,
  stack: readonly { key: string }[],
  outward: boolean,
): WrittenReference[] {
  const keys = stack.map((entry) => entry.key);
  const found: WrittenReference[] = [];
  for (const token of tokensIn(line, outward)) {
    if (token.start < valueStart) continue;
    const flow = FLOW_KEY.exec(line.slice(valueStart, token.start))?.[1];
    const reference = configReference([...keys, ...(flow === undefined ? [] : [flow])].join('.'), token);
    if (reference !== null) found.push(reference);
  }
  return found;
}
