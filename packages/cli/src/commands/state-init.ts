// `shipgraph state init`: creates the DynamoDB state table when the config names one.
import { openRun } from '../run/context.js';
import { DynamoDbStateStore } from '../state/dynamodb-store.js';
import { defineCommand } from './command.js';

export const command = defineCommand({
  flags: (argv) => argv,

  async run(_flags, io) {
    const { store } = await openRun(io, { build: false });
    if (!(store instanceof DynamoDbStateStore)) {
      io.stderr('the file state backend needs no setup\n');
      return 0;
    }
    io.stderr(`${(await store.createTable()) ? 'created' : 'found'} ${store.describe('*')}\n`);
    return 0;
  },
});
