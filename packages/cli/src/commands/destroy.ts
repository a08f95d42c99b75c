// `shipgraph destroy`: removes a stage's services in reverse dependency order and forgets them.
import { createInterface } from 'node:readline/promises';
import { buildGraph, selectServices } from '@shipgraph/core';
import { CliError } from '../errors.js';
import { describeRemoval, removalOf, removeServices, type RemovalResult } from '../remove/removal.js';
import { openReporter } from '../progress/registry.js';
import { openRun } from '../run/context.js';
import { lockRunStage } from '../run/stage-lock.js';
import { defineCommand } from './command.js';
import { jsonFlag, lockFlags, onlyFlag, outputFlags, stageFlags, withFlags } from './options.js';

export const command = defineCommand({
  examples: [
    [
      '$0 destroy --stage pr-42 --yes',
      "Remove a pull request's preview stage (in CI, where no one can confirm)",
    ],
    [
      '$0 destroy --stage dev --only orders --orphans',
      'Remove orders, and the stacks of services gone from the workspace',
    ],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      only: onlyFlag('Only these services (comma-separated)'),
      yes: { type: 'boolean', default: false, describe: 'Do not ask (needed when not on a terminal)' },
      orphans: {
        type: 'boolean',
        default: false,
        describe: 'Also remove the stacks of services gone from the workspace',
      },
      force: { type: 'boolean', default: false, describe: 'Destroy a protected stage' },
      ...lockFlags,
      ...jsonFlag('Print what was removed as JSON'),
      ...outputFlags,
    }),

  async run(flags, io) {
    // Disposed after the lock (declared before it): the lock's last words still reach stderr.
    using reporter = await openReporter(io, flags);
    const context = await openRun(io, { stage: flags.stage, build: true, reporter });
    const { checkout, stage, store, log } = context;
    if (stage.protected && !flags.force) {
      throw new CliError(
        'E_PROTECTED',
        `stage ${stage.name} is protected; shipgraph destroy leaves it alone`,
        {
          hint: 'pass --force if you really mean to remove it',
        },
      );
    }
    await using lock = await lockRunStage(context, flags.lockTimeout);
    const state = await store.read(stage.name);
    const only =
      flags.only === undefined
        ? null
        : new Set(
            selectServices(buildGraph(checkout.workspace), flags.only, []).map((service) => service.name),
          );
    const removal = removalOf(checkout, state, { only, orphans: flags.orphans });
    const print = (results: readonly RemovalResult[]): void => {
      if (flags.json) io.stdout(JSON.stringify({ version: 1, stage: stage.name, results }, null, 2) + '\n');
      else for (const result of results) io.stdout(`${describeRemoval(result)}\n`);
    };
    if (removal.targets.length === 0 && removal.orphans.length === 0) {
      log(`nothing recorded to remove in stage ${stage.name}`);
      print([]);
      return 0;
    }
    const list = [...removal.orphans.map((name) => `${name} (orphan)`), ...removal.targets].join(', ');
    if (!flags.yes) {
      if (!stdinIsTerminal()) {
        throw new CliError(
          'E_CONFIRM',
          `destroy would remove ${list} from stage ${stage.name}; it needs --yes when no one can confirm`,
          { hint: 'pass --yes (in CI) or run it in a terminal' },
        );
      }
      if (!(await askOnTerminal(`Remove ${list} from stage ${stage.name}? [y/N] `))) {
        log('nothing removed');
        print([]);
        return 1;
      }
    }
    const results = await removeServices(context, lock, state, removal);
    // The live view ends before the results: both may share one terminal.
    reporter.close();
    print(results);
    return lock.interruptedExit() ?? (results.some((result) => result.status !== 'removed') ? 1 : 0);
  },
});

/** isTTY is undefined, not false, when stdin is a pipe or closed, whatever the types say. */
const stdinIsTerminal = (): boolean => (process.stdin as { isTTY?: boolean }).isTTY === true;

async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
