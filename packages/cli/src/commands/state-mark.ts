// `shipgraph state mark`: records services as deployed at a commit, to adopt stacks that already exist.
import { buildGraph, selectServices } from '@shipgraph/core';
import { checkoutFingerprints } from '../planning/signatures.js';
import { openRun } from '../run/context.js';
import { lockStage } from '../run/stage-lock.js';
import { defineCommand } from './command.js';
import { jsonFlag, onlyFlag, stageFlags, withFlags } from './options.js';

export const command = defineCommand({
  examples: [
    [
      '$0 state mark --stage prod --commit v1.4.0',
      'Adopt existing stacks: record every service as deployed at v1.4.0',
    ],
    ["$0 state mark --stage prod --only 'services/*'", 'Record only the services under services/ at HEAD'],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...stageFlags,
      commit: {
        type: 'string',
        requiresArg: true,
        describe: 'Commit the services are deployed at (default HEAD)',
      },
      only: onlyFlag('Only these services (comma-separated)'),
      ...jsonFlag('Print what was recorded as JSON'),
    }),

  async run(flags, io) {
    const { checkout, stage, store, log } = await openRun(io, {
      stage: flags.stage,
      head: flags.commit,
      build: false,
    });
    const services = selectServices(buildGraph(checkout.workspace), flags.only ?? null, []);
    const fingerprints = await checkoutFingerprints(checkout);
    const lock = await lockStage({
      store,
      stage: stage.name,
      services: null,
      timeoutMs: 60_000,
      env: io.env,
      log,
    });
    const deployedAt = io.now().toISOString();
    try {
      for (const service of services) {
        if (lock.signal.aborted) break;
        await store.record(stage.name, service.name, {
          commit: checkout.head,
          fingerprint: fingerprints.of(service.name),
          deployedAt,
          regions: stage.regions,
        });
      }
    } finally {
      await lock[Symbol.asyncDispose]();
    }
    // Asked after the release: a signal while the lock was given back counts too.
    const interrupted = lock.interruptedExit();
    if (interrupted !== null) return interrupted;
    if (flags.json) {
      const names = services.map((service) => service.name);
      const document = { version: 1, stage: stage.name, services: names, commit: checkout.head, deployedAt };
      io.stdout(JSON.stringify({ ...document, regions: stage.regions }, null, 2) + '\n');
    }
    log(
      `recorded ${services.length} service${services.length === 1 ? '' : 's'} as deployed at ${checkout.head.slice(0, 12)} in stage ${stage.name} (${store.describe(stage.name)})`,
    );
    return 0;
  },
});
