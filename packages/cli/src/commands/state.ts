// `shipgraph state show|mark`: read what is recorded as deployed, or record it by hand (adoption).
import { fingerprintsOf, selectServices, servicesOf } from '@shipgraph/core';
import { resolveStage } from '../config/stage.js';
import { externalSignatures, openCheckout, stateStoreFor } from '../planning/load.js';
import { nameList } from '../planning/options.js';
import { openStageRun } from './stage-run.js';
import type { Io } from './io.js';

export async function stateShowCommand(
  flags: { stage?: string | undefined; json: boolean },
  io: Io,
): Promise<number> {
  const checkout = await openCheckout(io.cwd, 'HEAD');
  const stage = resolveStage(checkout.config, flags.stage, io.env);
  const store = stateStoreFor(checkout, io.env);
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
    io.stdout(`${name}  ${record.commit.slice(0, 12)}  ${record.deployedAt}  ${record.regions.join(',')}\n`);
  }
  return 0;
}

export interface StateMarkFlags {
  stage?: string | undefined;
  commit?: string | undefined;
  only?: string[] | undefined;
}

export async function stateMarkCommand(flags: StateMarkFlags, io: Io): Promise<number> {
  const checkout = await openCheckout(io.cwd, flags.commit ?? 'HEAD');
  const stage = resolveStage(checkout.config, flags.stage, io.env);
  const store = stateStoreFor(checkout, io.env);
  const services = selectServices(
    servicesOf(checkout.workspace),
    flags.only === undefined ? null : nameList(flags.only),
    [],
  );
  const fingerprints = fingerprintsOf(
    checkout.workspace,
    checkout.config.planner,
    checkout.files,
    await externalSignatures(checkout),
  );
  const run = await openStageRun({
    store,
    stage: stage.name,
    services: null,
    timeoutMs: 60_000,
    env: io.env,
    log: (line) => {
      io.stderr(`${line}\n`);
    },
  });
  try {
    const deployedAt = io.now().toISOString();
    for (const service of services) {
      if (run.signal.aborted) break;
      await store.record(stage.name, service.name, {
        commit: checkout.head,
        fingerprint: fingerprints.of(service.name),
        deployedAt,
        regions: stage.regions,
      });
    }
  } finally {
    await run.release();
  }
  const interrupted = run.interruptedExit();
  if (interrupted !== null) return interrupted;
  io.stderr(
    `recorded ${services.length} service${services.length === 1 ? '' : 's'} as deployed at ${checkout.head.slice(0, 12)} in stage ${stage.name} (${store.describe(stage.name)})\n`,
  );
  return 0;
}
