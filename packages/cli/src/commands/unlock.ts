// `shipgraph unlock --stage S`: breaks a stale deploy lock (the run holding it is gone).
import { buildGraph, selectServices } from '@shipgraph/core';
import { CliError } from '../errors.js';
import { openRun } from '../run/context.js';
import type { LockInfo } from '../state/store.js';
import { defineCommand } from './command.js';
import { jsonFlag, onlyFlag, stageFlags, withFlags } from './options.js';

/** One lock looked at: whose it was (null: nobody held it). */
interface Broken {
  service: string | null;
  heldBy: LockInfo | null;
}

export const command = defineCommand({
  examples: [
    ['$0 unlock --stage staging', 'Break the stage lock a killed build left behind'],
    ['$0 unlock --stage staging --only orders', 'Break the lock of one service, held by a deploy --only run'],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      only: onlyFlag('Break the locks of these services (held by deploy --only runs) instead'),
      ...jsonFlag('Print the locks broken as JSON'),
    }),

  async run(flags, io) {
    const { checkout, stage, store } = await openRun(io, { stage: flags.stage, build: false });
    const broken: Broken[] = [];
    if (flags.only === undefined) {
      broken.push({ service: null, heldBy: await store.breakLock(stage.name) });
    } else {
      const locks = store.serviceLocks;
      if (locks === undefined) {
        throw new CliError(
          'E_USAGE',
          `${store.describe(stage.name)} has no service locks, only the stage's`,
          {
            hint: `run shipgraph unlock --stage ${stage.name}`,
          },
        );
      }
      for (const { name } of selectServices(buildGraph(checkout.workspace), flags.only, [])) {
        broken.push({ service: name, heldBy: await locks.breakLock(stage.name, name) });
      }
    }
    for (const { service, heldBy } of broken) {
      io.stderr(
        describe(service === null ? `stage ${stage.name}` : `${service} in stage ${stage.name}`, heldBy),
      );
    }
    if (flags.json)
      io.stdout(JSON.stringify({ version: 1, stage: stage.name, locks: broken }, null, 2) + '\n');
    return 0;
  },
});

const describe = (what: string, holder: LockInfo | null): string =>
  holder === null
    ? `${what} was not locked\n`
    : `removed the lock of ${what} held by ${holder.owner} since ${holder.acquiredAt}\n`;
