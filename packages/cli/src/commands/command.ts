// What a command is: its flags, declared once, and a run that turns the checked flags into an exit code.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { Io } from '../io.js';
import type { Flag } from './options.js';

export interface Command<Flags> {
  /** Two or three command lines that show what the command is for, each with what it does. */
  examples: readonly (readonly [string, string])[];
  /** Declares the command's flags (with `withFlags`); yargs infers their types from this. */
  flags(argv: Argv): Argv<Flags>;
  /**
   * The same flags as data, for a command that takes nothing else (no positionals): a plain command
   * line is then read without loading yargs (see plainFlags).
   */
  options?: Readonly<Record<string, Flag>>;
  /** Runs with the parsed, checked flags; resolves to the exit code. */
  run(flags: ArgumentsCamelCase<Flags>, io: Io): Promise<number>;
}

/** Ties a command's run to the types of its flags, so using a flag it does not declare is a type error. */
export const defineCommand = <Flags>(command: Command<Flags>): Command<Flags> => command;
