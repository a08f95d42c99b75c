// `shipgraph state show`: prints what is recorded as deployed in a stage.
import { openRun } from '../run/context.js';
import { defineCommand } from './command.js';
import { jsonFlag, stageFlags, withFlags } from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 state show --stage prod', 'What is deployed in prod: service, commit, when, regions'],
    ['$0 state show --stage prod --json', 'The whole state document'],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      ...jsonFlag('Print the raw state document'),
    }),

  async run(flags, io) {
    const { stage, store } = await openRun(io, { stage: flags.stage, build: false });
    const state = await store.read(stage.name);
    if (flags.json) {
      io.stdout(JSON.stringify(state, null, 2) + '\n');
      return 0;
    }
    const entries = Object.entries(state.services).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) {
      io.stdout(`nothing recorded for stage ${stage.name} (${store.describe(stage.name)})\n`);
      return 0;
    }
    for (const [name, record] of entries) {
      io.stdout(
        `${name}  ${record.commit.slice(0, 12)}  ${record.deployedAt}  ${record.regions.join(',')}\n`,
      );
    }
    return 0;
  },
});
