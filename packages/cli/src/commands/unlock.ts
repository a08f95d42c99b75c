// `shipgraph unlock --stage S`: breaks a stale deploy lock (the run holding it is gone).
import { resolveStage } from '../config/stage.js';
import { openCheckout, stateStoreFor } from '../planning/load.js';
import { DynamoDbStateStore } from '../state/dynamodb-store.js';
import type { Io } from './io.js';

export async function unlockCommand(flags: { stage?: string | undefined }, io: Io): Promise<number> {
  const checkout = await openCheckout(io.cwd, 'HEAD');
  const stage = resolveStage(checkout.config, flags.stage, io.env);
  const store = stateStoreFor(checkout, io.env);
  const holder = await store.breakLock(stage.name);
  io.stderr(
    holder === null
      ? `stage ${stage.name} was not locked\n`
      : `removed the lock of stage ${stage.name} held by ${holder.owner} since ${holder.acquiredAt}\n`,
  );
  return 0;
}

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
