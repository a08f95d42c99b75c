// `shipgraph e2e`: runs services' end-to-end tests against a stage on their own, without deploying.
import { resolveServiceName, servicesOf } from '@shipgraph/core';
import { OutputCache } from '../deploy/outputs.js';
import { runE2eStage } from '../e2e/stage.js';
import { prepareRun } from '../planning/load.js';
import { serviceSettings } from '../stacks/services.js';
import type { Io } from './io.js';
import { openStageRun } from './stage-run.js';

export interface E2eFlags {
  stage?: string | undefined;
  services?: string[] | undefined;
  junit?: string | undefined;
  json: boolean;
  lockTimeout: number;
}

export async function e2eCommand(flags: E2eFlags, io: Io): Promise<number> {
  const log = (line: string) => {
    io.stderr(`${line}\n`);
  };
  const { checkout, stage, store } = await prepareRun(io.cwd, { stage: flags.stage }, io.env);
  const all = servicesOf(checkout.workspace);
  const names = (flags.services ?? []).flatMap((entry) => entry.split(',')).filter((name) => name !== '');
  const chosen = new Set(
    names.length === 0
      ? all.map((service) => service.name)
      : names.map((name) => resolveServiceName(name, all)),
  );
  // The outcome is recorded in the state, so this holds the stage lock like a deploy.
  const run = await openStageRun({
    store,
    stage: stage.name,
    services: null,
    timeoutMs: flags.lockTimeout * 1000,
    env: io.env,
    log,
  });
  try {
    const results = await runE2eStage({
      checkout,
      stage: stage.name,
      regions: stage.regions,
      store,
      services: chosen,
      outputs: new OutputCache(await serviceSettings(checkout, stage.name)),
      junit: flags.junit,
      cwd: io.cwd,
      signal: run.signal,
      children: run.children,
      log,
      now: io.now,
    });
    if (flags.json)
      io.stdout(
        JSON.stringify({ version: 1, stage: stage.name, head: checkout.head, results }, null, 2) + '\n',
      );
    else {
      for (const result of results) {
        io.stdout(
          `${result.service}  ${result.region}  ${result.status}  ${result.detail ?? result.log ?? ''}`.trimEnd() +
            '\n',
        );
      }
    }
    return (
      run.interruptedExit() ??
      (results.some((result) => result.status === 'failed') || run.signal.aborted ? 1 : 0)
    );
  } finally {
    await run.release();
  }
}
