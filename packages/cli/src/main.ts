// The `shipgraph` command line: finds the command, lets it declare and check its flags, runs it, and
// turns what it throws into one line and an exit code.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { isShipgraphError } from '@shipgraph/core';
import { GLOBAL_FLAGS } from './commands/plain-flags.js';
import {
  COMMANDS,
  completionsAfter,
  findEntries,
  names,
  plainCommand,
  type Entry,
} from './commands/registry.js';
import { EXIT_BUG, exitCodeOf } from './errors.js';
import { processIo, type Io } from './io.js';
import { unknownArgument, usageErrorOf, type Known } from './usage-errors.js';
import { shipgraphVersion } from './version.js';

const COMPLETIONS = '--get-yargs-completions';

const USAGE = `$0 <command> [options]

Deploys exactly the services of a serverless monorepo that changed since they were last deployed.`;

export async function main(args: string[], io: Io = processIo()): Promise<number> {
  // The completion script calls `shipgraph --get-yargs-completions shipgraph <words...> <current>`.
  // Answered here: commands declare their flags when loaded, which yargs' completion does not wait for.
  if (args[0] === COMPLETIONS) {
    const words = args.slice(2);
    io.stdout((await completionsAfter(words.slice(0, -1), words.at(-1) ?? '')).join('\n') + '\n');
    return 0;
  }
  let exitCode = 0;
  // What could have been meant where the user typed something unknown: the commands and flags of
  // the level yargs reached, recorded as it descends.
  let known: Known = { path: [], commands: [...names(COMMANDS), 'help', 'completion'], argv: undefined };
  const register = (argv: Argv, entries: readonly Entry[], path: readonly string[]): Argv => {
    for (const entry of entries) {
      const { load, subcommands = [] } = entry;
      if (load === undefined) {
        argv.command(entry.usage, entry.describe, (sub) => {
          known = { path: [...path, entry.usage], commands: names(subcommands), argv: sub };
          return register(sub, subcommands, [...path, entry.usage]);
        });
        continue;
      }
      argv.command(
        entry.usage,
        entry.describe,
        async (sub) => {
          const { command } = await load();
          known = { path: [...path, names([entry])[0] ?? ''], commands: [], argv: sub };
          for (const [example, meaning] of command.examples) sub.example(example, meaning);
          return command.flags(sub);
        },
        async (flags) => {
          exitCode = await (await load()).command.run(flags, io);
        },
      );
    }
    const what = path.length === 0 ? 'a command' : `a ${path.join(' ')} command`;
    return argv.demandCommand(1, `name ${what}: ${names(entries).join(', ')}`);
  };
  try {
    // A plain command line (`plan --json --base HEAD~3`) is read without yargs, which takes ~15 ms
    // to load and to build every command's help before it runs one.
    const plain = await plainCommand(args);
    if (plain !== null) return await plain.command.run(plain.flags as ArgumentsCamelCase<unknown>, io);
    const { default: yargs } = await import('yargs');
    const cli = yargs(args).scriptName('shipgraph').usage(USAGE).options(GLOBAL_FLAGS);
    await register(cli, COMMANDS, [])
      .command('help [command..]', 'Show the help of a command', {}, async (flags) => {
        const words = (flags['command'] as string[] | undefined) ?? [];
        const { found, unknown } = findEntries(words);
        if (unknown !== null) {
          const level = found.at(-1)?.subcommands ?? COMMANDS;
          const path = found.map((entry) => names([entry])[0] ?? '');
          throw unknownArgument(unknown, [], {
            path,
            commands: names(level),
            argv: undefined,
          });
        }
        exitCode = await main([...words, '--help'], io);
      })
      .completion(
        'completion',
        'Print a bash/zsh completion script (add its output to ~/.bashrc or ~/.zshrc)',
      )
      .strict()
      .help()
      .alias('h', 'help')
      .version(shipgraphVersion())
      .alias('v', 'version')
      .wrap(Math.min(110, process.stdout.columns || 110))
      .exitProcess(false)
      .fail((message: string | null, error: Error | undefined) => {
        throw isShipgraphError(error)
          ? error
          : usageErrorOf(message ?? error?.message ?? 'invalid arguments', args, known);
      })
      .parseAsync();
  } catch (error) {
    // A command's flags are declared when it is loaded, and yargs throws what it finds wrong in
    // them instead of passing it to `fail`.
    const usage =
      error instanceof Error && error.name === 'YError' ? usageErrorOf(error.message, args, known) : error;
    return report(usage, io, args.includes('--debug'));
  }
  return exitCode;
}

function report(error: unknown, io: Io, debug: boolean): number {
  if (isShipgraphError(error)) {
    const hint = error.hint === undefined ? '' : ` (fix: ${error.hint})`;
    io.stderr(`shipgraph: ${error.code}: ${error.message}${hint}\n`);
    if (debug)
      io.stderr(
        `${String(error.stack)}\n${error.cause instanceof Error ? `cause: ${String(error.cause.stack)}\n` : ''}`,
      );
    return exitCodeOf(error.code);
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(
    `shipgraph: internal error; this is a bug in shipgraph, please report it with the trace below\n${stack}\n`,
  );
  return EXIT_BUG;
}
