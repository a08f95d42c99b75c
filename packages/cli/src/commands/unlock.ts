// `shipgraph unlock --stage S`: breaks a stale deploy lock (the run holding it is gone).
import { resolveServiceName, servicesOf, ShipgraphError } from '@shipgraph/core';
import { resolveStage } from '../config/stage.js';
import { nameList } from '../planning/options.js';
import type { LockInfo } from '../state/store.js';
import { openCheckout, stateStoreFor } from '../planning/load.js';
import { DynamoDbStateStore } from '../state/dynamodb-store.js';
import type { Io } from './io.js';

export async function unlockCommand(
  flags: { stage?: string | undefined; only?: string[] | undefined },
  io: Io,
): Promise<number> {
  const checkout = await openCheckout(io.cwd, 'HEAD');
  const stage = resolveStage(checkout.config, flags.stage, io.env);
  const store = stateStoreFor(checkout, io.env);
  if (flags.only === undefined) {
    io.stderr(describe(`stage ${stage.name}`, await store.breakLock(stage.name)));
    return 0;
  }
  const locks = store.serviceLocks;
  if (locks === undefined) {
    throw new ShipgraphError(
      'E_USAGE',
      `${store.describe(stage.name)} has no service locks, only the stage's`,
      {
        hint: `run shipgraph unlock --stage ${stage.name}`,
      },
    );
  }
  const present = servicesOf(checkout.workspace);
  for (const name of nameList(flags.only)) {
    const service = resolveServiceName(name, present);
    io.stderr(describe(`${service} in stage ${stage.name}`, await locks.breakLock(stage.name, service)));
  }
  return 0;
}

const describe = (what: string, holder: LockInfo | null): string =>
  holder === null
    ? `${what} was not locked\n`
    : `removed the lock of ${what} held by ${holder.owner} since ${holder.acquiredAt}\n`;

/** `shipgraph state init`: creates the DynamoDB state table when the config names one. */
export async function stateInitCommand(io: Io): Promise<number> {
  const checkout = await openCheckout(io.cwd, 'HEAD');
  const store = stateStoreFor(checkout, io.env);
  if (!(store instanceof DynamoDbStateStore)) {
    io.stderr('the file state backend needs no setup\n');
    return 0;
  }
  const created = await store.createTable();
  io.stderr(`${created ? 'created' : 'found'} ${store.describe('*')}\n`);
  return 0;
}
