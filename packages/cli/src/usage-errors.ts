// What yargs rejects (unknown commands and flags, missing values) as one line with a fix, suggesting
// the command or flag that was probably meant.
import type { Argv } from 'yargs';
import { closest, distance } from 'fastest-levenshtein';
import { declaredFlags } from './commands/options.js';
import { CliError } from './errors.js';

/** The commands and flags at the level of the command line yargs reached. */
export interface Known {
  /** The command reached so far (`state mark`), empty at the top. */
  path: readonly string[];
  commands: readonly string[];
  /** The command's yargs instance, once one is reached: its flags. */
  argv: Argv | undefined;
}

export function usageErrorOf(message: string, args: readonly string[], known: Known): CliError {
  // yargs spreads some messages over lines; ours are one line.
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  const missing = /^Not enough arguments following: (\S+)$/.exec(oneLine)?.[1];
  if (missing !== undefined) {
    return new CliError('E_USAGE', `--${missing} needs a value`, {
      hint: `give it one (--${missing} <value>), or leave the flag out`,
    });
  }
  const unknown = /^Unknown arguments?: (.+)$/.exec(oneLine)?.[1]?.split(', ')[0];
  if (unknown !== undefined) return unknownArgument(unknown, args, known);
  return new CliError('E_USAGE', oneLine, { hint: 'see shipgraph --help' });
}

/** `word` was not a command or flag at the level `known` describes; `args` tell which the user typed. */
export function unknownArgument(word: string, args: readonly string[], known: Known): CliError {
  const typed = args.find((arg) => arg.replace(/^-+/, '').split('=')[0] === word) ?? word;
  const asFlag = typed.startsWith('-');
  const candidates = asFlag ? flagsOf(known.argv) : known.commands;
  const guess = suggestion(word, candidates);
  const name = asFlag ? `--${word}` : `"${word}"`;
  const meant = guess === null ? '' : `did you mean ${asFlag ? `--${guess}` : guess}? `;
  return new CliError('E_USAGE', `unknown ${asFlag ? 'option' : 'command'} ${name}`, {
    hint: `${meant}see shipgraph ${['help', ...known.path].join(' ')}`,
  });
}

const flagsOf = (argv: Argv | undefined): string[] =>
  argv === undefined ? ['help', 'version', 'debug'] : declaredFlags(argv);

/** The nearest candidate, if it is near enough to be a typo (two edits, or one in three letters). */
function suggestion(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.ceil(best.length / 3)) ? best : null;
}
