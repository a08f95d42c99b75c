// `shipgraph state init`: creates the DynamoDB state table when the config names one.
import { openRun } from '../run/context.js';
import { DynamoDbStateStore } from '../state/dynamodb-store.js';
import { defineCommand } from './command.js';
import { jsonFlag, withFlags } from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 state init', "Create the DynamoDB table the config's state backend names"],
    ['$0 state init --json', 'The same, answered as JSON (created: true the first time)'],
  ],

  flags: (argv) => withFlags(argv, { ...jsonFlag('Print the backend and whether it was created as JSON') }),

  async run(flags, io) {
    const { store } = await openRun(io, { build: false });
    const created = store instanceof DynamoDbStateStore ? await store.createTable() : null;
    if (created === null) io.stderr('the file state backend needs no setup\n');
    else io.stderr(`${created ? 'created' : 'found'} ${store.describe('*')}\n`);
    if (flags.json) {
      const backend = created === null ? 'file' : 'dynamodb';
      io.stdout(
        JSON.stringify(
          { version: 1, backend, where: store.describe('*'), created: created === true },
          null,
          2,
        ) + '\n',
      );
    }
    return 0;
  },
});
