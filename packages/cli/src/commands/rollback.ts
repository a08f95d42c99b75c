// `shipgraph rollback --stage S --only svc`: moves a service's aliases back to the version before.
import { buildGraph, selectServices } from '@shipgraph/core';
import { openRun } from '../run/context.js';
import { lockRunStage } from '../run/stage-lock.js';
import { rollBack } from '../rollback/rollback.js';
import { defineCommand } from './command.js';
import { jsonFlag, lockFlags, onlyFlag, stageFlags, withFlags } from './options.js';

export const command = defineCommand({
  examples: [
    [
      '$0 rollback --stage prod --only orders',
      "Point orders' aliases in prod back at the versions they served before",
    ],
    ['$0 rollback --stage prod --only orders --json', 'The same, and print what moved as JSON'],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      only: { ...onlyFlag('The services to roll back (comma-separated)'), demandOption: true },
      ...lockFlags,
      ...jsonFlag('Print what moved as JSON'),
    }),

  async run(flags, io) {
    const context = await openRun(io, { stage: flags.stage, build: false });
    const { checkout, stage } = context;
    const graph = buildGraph(checkout.workspace);
    const services = selectServices(graph, flags.only, []).map((service) => service.name);
    // The same lock as a deploy of these services: a rollback never races a deploy moving the alias.
    await using lock = await lockRunStage(context, flags.lockTimeout, services);
    const results = await rollBack(context, lock, graph, services);
    if (flags.json) io.stdout(JSON.stringify({ version: 1, stage: stage.name, results }, null, 2) + '\n');
    else
      for (const result of results)
        for (const line of result.moved) io.stdout(`${result.service}  ${result.region}  ${line}\n`);
    return lock.interruptedExit() ?? 0;
  },
});
