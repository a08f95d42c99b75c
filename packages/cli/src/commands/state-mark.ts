// `shipgraph state mark`: records services as deployed at a commit, to adopt stacks that already exist.
import { buildGraph, selectServices } from '@shipgraph/core';
import { CliError } from '../errors.js';
import { serviceSettings, stacksOf } from '../planning/service-settings.js';
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
      'check-stacks': {
        type: 'boolean',
        default: true,
        describe: 'Refuse services whose stack is not in the stage (--no-check-stacks to record them anyway)',
      },
      ...jsonFlag('Print what was recorded as JSON'),
    }),

  async run(flags, io) {
    const { checkout, stage, store, log, access } = await openRun(io, {
      stage: flags.stage,
      head: flags.commit,
      build: false,
    });
    const services = selectServices(buildGraph(checkout.workspace), flags.only ?? null, []);
    const fingerprints = await checkoutFingerprints(checkout);
    // Adopting means the stacks are there, in the stage's account: look, and remember them (orphans are
    // removed by their recorded stacks).
    const settings = await serviceSettings(checkout, stage.name);
    const stacks = flags.checkStacks
      ? await stacksOf(
          access,
          services.map((service) => settings.get(service.name)).filter((one) => one !== undefined),
          stage.regions,
        ).catch((error: unknown) => {
          if (!(error instanceof CliError) || error.code !== 'E_AWS') throw error;
          throw new CliError('E_AWS', error.message, {
            hint: "run it with the stage's AWS credentials, or pass --no-check-stacks to record without looking",
            cause: error,
          });
        })
      : new Map<string, { found: Record<string, string>; missing: string[] }>();
    const missing = [...stacks].filter(([, found]) => found.missing.length > 0);
    if (missing.length > 0) {
      throw new CliError(
        'E_STACK_MISSING',
        `cannot mark as deployed what is not there: ${missing.map(([name, found]) => `${name} (no stack ${found.missing.join(', ')})`).join('; ')}`,
        { hint: 'deploy those services instead, leave them out with --only, or pass --no-check-stacks' },
      );
    }
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
        const found = stacks.get(service.name)?.found ?? {};
        await store.record(stage.name, service.name, {
          commit: checkout.head,
          fingerprint: fingerprints.of(service.name),
          deployedAt,
          regions: stage.regions,
          ...(Object.keys(found).length > 0 ? { stacks: found } : {}),
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
