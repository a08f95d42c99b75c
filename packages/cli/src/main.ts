// The `shipgraph` command line: finds the command, lets it declare and check its flags, runs it, and
// turns what it throws into one line and an exit code.
import yargs, { type Argv } from 'yargs';
import { isShipgraphError } from '@shipgraph/core';
import type { Command } from './commands/command.js';
import { CliError, EXIT_BUG, exitCodeOf } from './errors.js';
import { processIo, type Io } from './run/io.js';

interface Entry {
  /** The command as yargs matches it, with its positionals. */
  usage: string;
  describe: string;
  /** Loaded only when it runs (or shows its help): `plan` never pays for deploy's modules. */
  load?: () => Promise<{ command: Command<unknown> }>;
  subcommands?: readonly Entry[];
}

const COMMANDS: readonly Entry[] = [
  {
    usage: 'plan',
    describe: 'Show which services would deploy, why, and in which order (dry run)',
    load: () => import('./commands/plan.js'),
  },
  {
    usage: 'deploy',
    describe: 'Deploy what the plan says, in dependency order, and record it (the CodeBuild build phase)',
    load: () => import('./commands/deploy.js'),
  },
  {
    usage: 'e2e [services..]',
    describe: "Run services' end-to-end tests against a stage, without deploying",
    load: () => import('./commands/e2e.js'),
  },
  {
    usage: 'destroy',
    describe: "Remove a stage's services (dependents first) and forget them",
    load: () => import('./commands/destroy.js'),
  },
  {
    usage: 'unlock',
    describe: "Break a stage's deploy lock left by a run that is gone",
    load: () => import('./commands/unlock.js'),
  },
  {
    usage: 'state',
    describe: 'Read or record what is deployed',
    subcommands: [
      {
        usage: 'show',
        describe: 'Print what is recorded as deployed in a stage',
        load: () => import('./commands/state-show.js'),
      },
      {
        usage: 'mark',
        describe: 'Record services as deployed at a commit (to adopt stacks that already exist)',
        load: () => import('./commands/state-mark.js'),
      },
      {
        usage: 'init',
        describe: 'Create the DynamoDB state table the config names',
        load: () => import('./commands/state-init.js'),
      },
    ],
  },
];

const names = (entries: readonly Entry[]): string =>
  entries.map((entry) => entry.usage.split(' ')[0] ?? '').join(', ');

export async function main(args: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const register = (argv: Argv, entries: readonly Entry[], what: string): Argv => {
    for (const entry of entries) {
      const { load, subcommands = [] } = entry;
      if (load === undefined) {
        argv.command(entry.usage, entry.describe, (sub) =>
          register(sub, subcommands, `a ${entry.usage} command`),
        );
        continue;
      }
      argv.command(
        entry.usage,
        entry.describe,
        async (sub) => (await load()).command.flags(sub),
        async (flags) => {
          exitCode = await (await load()).command.run(flags, io);
        },
      );
    }
    return argv.demandCommand(1, `name ${what}: ${names(entries)}`);
  };
  try {
    const cli = yargs(args)
      .scriptName('shipgraph')
      .usage(
        '$0 <command> [options]\n\nDeploys exactly the services of a serverless monorepo that changed since they were last deployed.',
      )
      .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' });
    await register(cli, COMMANDS, 'a command')
      .strict()
      .help()
      .version(false)
      .wrap(Math.min(110, process.stdout.columns || 110))
      .exitProcess(false)
      .fail(usageError)
      .parseAsync();
  } catch (error) {
    // A command's flags are declared when it is loaded, and yargs throws what it finds wrong in
    // them instead of passing it to `fail`.
    const usage = error instanceof Error && error.name === 'YError' ? usageErrorOf(error.message) : error;
    return report(usage, io, args.includes('--debug'));
  }
  return exitCode;
}

/** What yargs rejects (unknown flags, missing values) as one line; our own errors pass through. */
function usageError(message: string | null, error: Error | undefined): never {
  if (isShipgraphError(error)) throw error;
  throw usageErrorOf(message ?? error?.message ?? 'invalid arguments');
}

function usageErrorOf(message: string): CliError {
  // yargs spreads some messages over lines; ours are one line.
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  const missing = /^Not enough arguments following: (\S+)$/.exec(oneLine)?.[1];
  if (missing !== undefined) {
    return new CliError('E_USAGE', `--${missing} needs a value`, {
      hint: `give it one (--${missing} <value>), or leave the flag out`,
    });
  }
  return new CliError('E_USAGE', oneLine, { hint: 'see shipgraph --help' });
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
