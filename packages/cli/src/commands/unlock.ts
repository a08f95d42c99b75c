// `shipgraph unlock --stage S`: breaks a stale deploy lock (the run holding it is gone).
import { resolveServiceName, servicesOf } from '@shipgraph/core';
import { CliError } from '../errors.js';
import { openRun } from '../run/context.js';
import type { LockInfo } from '../state/store.js';
import { defineCommand } from './command.js';
import { onlyFlag, stageFlags, withFlags } from './options.js';

export const command = defineCommand({
  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      only: onlyFlag('Break the locks of these services (held by deploy --only runs) instead'),
    }),

  async run(flags, io) {
    const { checkout, stage, store } = await openRun(io, { stage: flags.stage, build: false });
    if (flags.only === undefined) {
      io.stderr(describe(`stage ${stage.name}`, await store.breakLock(stage.name)));
      return 0;
    }
    const locks = store.serviceLocks;
    if (locks === undefined) {
      throw new CliError('E_USAGE', `${store.describe(stage.name)} has no service locks, only the stage's`, {
        hint: `run shipgraph unlock --stage ${stage.name}`,
      });
    }
    const present = servicesOf(checkout.workspace);
    for (const name of flags.only) {
      const service = resolveServiceName(name, present);
      io.stderr(describe(`${service} in stage ${stage.name}`, await locks.breakLock(stage.name, service)));
    }
    return 0;
  },
});

const describe = (what: string, holder: LockInfo | null): string =>
  holder === null
    ? `${what} was not locked\n`
    : `removed the lock of ${what} held by ${holder.owner} since ${holder.acquiredAt}\n`;
