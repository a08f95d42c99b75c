// The `shipgraph` command line: parses arguments, runs one command, turns errors into exit codes.
import yargs, { type Argv } from 'yargs';
import { ShipgraphError, isShipgraphError } from '@shipgraph/core';
import { PLAN_FORMATS, planCommand } from './commands/plan.js';
import { processIo, type Io } from './commands/io.js';
import {
  checkFlags,
  concurrencyFlag,
  excludeFlag,
  lockTimeoutFlag,
  onlyFlag,
  retriesFlag,
  retryDelayFlag,
  stageFlag,
} from './flags.js';
// The other commands are imported when run: loading deploy's modules (execa, the deployers) would
// cost every `plan` about 0.1 s.

/** Exit codes: 0 ok, 1 a run that failed (deploys), 2 bad input, 70 a bug in shipgraph. */
export const EXIT_BUG = 70;

const planOptions = <T>(argv: Argv<T>) =>
  argv
    .option('stage', {
      ...stageFlag,
      describe: 'Stage to plan for (default: $STAGE, then the config default)',
    })
    .option('base', {
      type: 'string',
      requiresArg: true,
      describe: 'Compare every service with this ref instead of its recorded deploy',
    })
    .option('head', {
      type: 'string',
      requiresArg: true,
      describe: 'Commit to plan (default: $CODEBUILD_RESOLVED_SOURCE_VERSION, then HEAD)',
    })
    .option('all', { type: 'boolean', describe: 'Deploy every service (also FORCE_DEPLOY_ALL=true)' })
    .option('only', onlyFlag('Consider only these services (comma-separated)'))
    .option('exclude', excludeFlag);

export async function main(args: string[], io: Io = processIo()): Promise<number> {
  const debug = args.includes('--debug');
  let exitCode = 0;
  try {
    await yargs(args)
      .scriptName('shipgraph')
      .usage(
        '$0 <command> [options]\n\nDeploys exactly the services of a serverless monorepo that changed since they were last deployed.',
      )
      .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' })
      .middleware(checkFlags)
      .command(
        'plan',
        'Show which services would deploy, why, and in which order (dry run)',
        (argv) =>
          planOptions(argv)
            .option('json', {
              type: 'boolean',
              describe: 'Print the plan as one JSON document (same as --format json)',
            })
            .option('format', {
              choices: PLAN_FORMATS,
              default: PLAN_FORMATS[0],
              describe: 'Output format',
            })
            .option('explain', {
              type: 'boolean',
              default: false,
              describe: 'Show the files behind each reason',
            })
            .option('check-stacks', {
              type: 'boolean',
              default: false,
              describe:
                'Ask CloudFormation which stacks exist (a missing stack deploys); needs AWS credentials',
            }),
        async (argv) => {
          exitCode = await planCommand(
            { ...argv, format: argv.json === true ? 'json' : argv.format, explain: argv.explain },
            io,
          );
        },
      )
      .command(
        'deploy',
        'Deploy what the plan says, in dependency order, and record it (the CodeBuild build phase)',
        (argv) =>
          planOptions(argv)
            .option('concurrency', concurrencyFlag)
            .option('fail-fast', {
              type: 'boolean',
              default: false,
              describe: 'Start nothing new after the first failure',
            })
            .option('retries', retriesFlag)
            .option('retry-delay', retryDelayFlag)
            .option('plan', {
              type: 'string',
              requiresArg: true,
              describe: 'Run exactly this plan (from plan --json)',
            })
            .option('lock-timeout', lockTimeoutFlag)
            .option('check-stacks', {
              type: 'boolean',
              default: true,
              describe: 'Deploy services whose stack is missing (--no-check-stacks to skip)',
            })
            .option('skip-e2e', {
              type: 'boolean',
              default: false,
              describe: 'Do not run e2e tests after deploying',
            })
            .option('junit', {
              type: 'string',
              requiresArg: true,
              describe: 'Write the e2e results as JUnit XML to this file',
            })
            .option('allow-dirty', {
              type: 'boolean',
              default: false,
              describe:
                'Deploy even if the checkout is not the planned commit as committed (recorded as dirty: deployed again next time)',
            })
            .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' }),
        async (argv) => {
          const { deployCommand } = await import('./commands/deploy.js');
          exitCode = await deployCommand(argv, io);
        },
      )
      .command(
        'e2e [services..]',
        "Run services' end-to-end tests against a stage, without deploying",
        (argv) =>
          argv
            .positional('services', {
              type: 'string',
              array: true,
              describe: 'Services to test (default: all)',
            })
            .option('stage', stageFlag)
            .option('junit', {
              type: 'string',
              requiresArg: true,
              describe: 'Write the results as JUnit XML to this file',
            })
            .option('lock-timeout', lockTimeoutFlag)
            .option('json', { type: 'boolean', default: false, describe: 'Print the results as JSON' }),
        async (argv) => {
          const { e2eCommand } = await import('./commands/e2e.js');
          exitCode = await e2eCommand(argv, io);
        },
      )
      .command(
        'destroy',
        "Remove a stage's services (dependents first) and forget them",
        (argv) =>
          argv
            .option('stage', stageFlag)
            .option('only', onlyFlag('Only these services (comma-separated)'))
            .option('yes', {
              type: 'boolean',
              default: false,
              describe: 'Do not ask (needed when not on a terminal)',
            })
            .option('orphans', {
              type: 'boolean',
              default: false,
              describe: 'Also remove the stacks of services gone from the workspace',
            })
            .option('force', { type: 'boolean', default: false, describe: 'Destroy a protected stage' })
            .option('lock-timeout', lockTimeoutFlag),
        async (argv) => {
          const { destroyCommand, stdinIsTerminal } = await import('./commands/destroy.js');
          exitCode = await destroyCommand({ ...argv, interactive: stdinIsTerminal() }, io);
        },
      )
      .command(
        'unlock',
        "Break a stage's deploy lock left by a run that is gone",
        (argv) =>
          argv
            .option('stage', stageFlag)
            .option(
              'only',
              onlyFlag('Break the locks of these services (held by deploy --only runs) instead'),
            ),
        async (argv) => {
          const { unlockCommand } = await import('./commands/unlock.js');
          exitCode = await unlockCommand(argv, io);
        },
      )
      .command('state', 'Read or record what is deployed', (argv) =>
        argv
          .command(
            'show',
            'Print what is recorded as deployed in a stage',
            (sub) =>
              sub.option('stage', stageFlag).option('json', {
                type: 'boolean',
                default: false,
                describe: 'Print the raw state document',
              }),
            async (sub) => {
              const { stateShowCommand } = await import('./commands/state.js');
              exitCode = await stateShowCommand(sub, io);
            },
          )
          .command(
            'mark',
            'Record services as deployed at a commit (to adopt stacks that already exist)',
            (sub) =>
              sub
                .option('stage', stageFlag)
                .option('commit', {
                  type: 'string',
                  requiresArg: true,
                  describe: 'Commit the services are deployed at (default HEAD)',
                })
                .option('only', onlyFlag('Only these services (comma-separated)')),
            async (sub) => {
              const { stateMarkCommand } = await import('./commands/state.js');
              exitCode = await stateMarkCommand(sub, io);
            },
          )
          .command(
            'init',
            'Create the DynamoDB state table the config names',
            (sub) => sub,
            async () => {
              const { stateInitCommand } = await import('./commands/unlock.js');
              exitCode = await stateInitCommand(io);
            },
          )
          .demandCommand(1, 'name a state command: show, mark or init'),
      )
      .demandCommand(1, 'name a command: plan, deploy, e2e, destroy, state or unlock')
      .strict()
      .help()
      .version(false)
      .wrap(Math.min(110, process.stdout.columns || 110))
      .exitProcess(false)
      .fail((message: string | null, error: Error | undefined) => {
        if (isShipgraphError(error)) throw error;
        // yargs spreads some messages over lines; ours are one line.
        const oneLine = (message ?? error?.message ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ');
        const missing = /^Not enough arguments following: (\S+)$/.exec(oneLine)?.[1];
        if (missing !== undefined) {
          throw new ShipgraphError('E_USAGE', `--${missing} needs a value`, {
            hint: `give it one (--${missing} <value>), or leave the flag out`,
          });
        }
        throw new ShipgraphError('E_USAGE', oneLine, { hint: 'see shipgraph --help' });
      })
      .parseAsync();
  } catch (error) {
    return report(error, io, debug);
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
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(
    `shipgraph: internal error; this is a bug in shipgraph, please report it with the trace below\n${stack}\n`,
  );
  return EXIT_BUG;
}
