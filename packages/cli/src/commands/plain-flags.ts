// Reads a plain command line (`plan --json --base HEAD~3`) from the same flag data yargs declares,
// without loading yargs: what it would give the command, or null to leave the line to yargs.
import type { Flag } from './options.js';

/** What every command takes besides its own flags (main.ts declares the same for yargs). */
export const GLOBAL_FLAGS = {
  debug: { type: 'boolean', describe: 'Show stack traces on errors' },
} as const satisfies Record<string, Flag>;

/**
 * The flags yargs passes to the command's run for `words` (what follows the command's name), each
 * checked as `withFlags` checks it; null when the line is not plain: anything but a declared string
 * flag with its value (`--base X`, `--base=X`), a flag of choices given one of them (`--format json`),
 * or a declared boolean standing alone.
 * So help, an unknown or repeated flag, a positional, `--no-x`, `--json false`, list and number flags
 * and a value that starts with `-` all go to yargs, which reads, rejects or explains them as before.
 */
export function plainFlags(
  command: string,
  words: readonly string[],
  flags: Readonly<Record<string, Flag>>,
): Record<string, unknown> | null {
  const declared: Readonly<Record<string, Flag>> = { ...GLOBAL_FLAGS, ...flags };
  const given = new Map<string, unknown>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('--')) return null;
    const equals = word.indexOf('=');
    const name = word.slice(2, equals < 0 ? undefined : equals);
    const flag = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (flag === undefined || given.has(name) || flag.array === true) return null;
    if (flag.type === 'boolean') {
      // yargs reads `--json=false` as a value (and `--json false`, whose `false` is no flag).
      if (equals >= 0) return null;
      given.set(name, true);
    } else if (flag.type === 'string' || (flag.type === undefined && flag.choices !== undefined)) {
      const value = equals >= 0 ? word.slice(equals + 1) : words[++i];
      if (value === undefined || value === '' || value.startsWith('-')) return null;
      // Without a type, yargs reads a number as a number.
      if (flag.type === undefined && !Number.isNaN(Number(value))) return null;
      if (flag.choices !== undefined && !(flag.choices as readonly unknown[]).includes(value)) return null;
      given.set(name, value);
    } else {
      return null;
    }
  }
  const parsed: Record<string, unknown> = { _: [command], $0: 'shipgraph' };
  for (const [name, flag] of Object.entries(declared)) {
    const raw: unknown = given.has(name) ? given.get(name) : flag.default;
    if (raw === undefined) continue;
    const value: unknown = flag.check === undefined || !Object.hasOwn(flags, name) ? raw : flag.check(raw);
    parsed[name] = value;
    if (name.includes('-')) parsed[camelCase(name)] = value;
  }
  return parsed;
}

const camelCase = (name: string): string =>
  name.replace(/-([a-z])/g, (_whole, letter: string) => letter.toUpperCase());
