// `shipgraph e2e`: runs services' end-to-end tests against a stage on their own, without deploying.
import { buildGraph, selectServices } from '@shipgraph/core';
import { executePlan } from '../deploy/execute.js';
import { runOptions } from '../deploy/run-options.js';
import { renderE2eResults } from '../deploy/summary.js';
import { e2eRequest, testOnlyPlan, writeJUnit } from '../e2e/stage.js';
import { openReport } from '../report/run-report.js';
import { serviceSettings } from '../planning/service-settings.js';
import { openReporter } from '../progress/registry.js';
import { openRun } from '../run/context.js';
import { lockRunStage } from '../run/stage-lock.js';
import { OutputCache } from '../steps/outputs.js';
import { defineCommand } from './command.js';
import {
  DEFAULT_CONCURRENCY,
  e2eConcurrencyFlag,
  jsonFlag,
  lockFlags,
  nameList,
  outputFlags,
  reportFlags,
  stageFlags,
  withFlags,
} from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 e2e', "Run every service's e2e tests against the default stage"],
    ['$0 e2e orders billing --junit reports/e2e.xml', "Two services' tests, written as JUnit XML too"],
  ],

  flags: (argv) =>
    withFlags(
      argv.positional('services', {
        type: 'string',
        array: true,
        describe: 'Services to test (default: all)',
        coerce: nameList,
      }),
      {
        ...stageFlags,
        junit: { type: 'string', requiresArg: true, describe: 'Write the results as JUnit XML to this file' },
        ...e2eConcurrencyFlag,
        ...lockFlags,
        ...jsonFlag('Print the results as JSON'),
        ...reportFlags,
        ...outputFlags,
      },
    ),

  async run(flags, io) {
    // Disposed after the lock (declared before it): the lock's last words still reach stderr.
    using reporter = await openReporter(io, flags);
    const context = await openRun(io, { stage: flags.stage, build: true, reporter });
    const { checkout, stage } = context;
    const names = flags.services ?? [];
    const chosen = new Set(
      selectServices(buildGraph(checkout.workspace), names.length === 0 ? null : names, []).map(
        (service) => service.name,
      ),
    );
    await using report = await openReport(flags.report, 'e2e', context);
    // The outcome is recorded in the state, so this holds the stage lock like a deploy.
    await using lock = await lockRunStage(context, flags.lockTimeout);
    const concurrency = flags.e2eConcurrency ?? checkout.config.e2e.concurrency ?? DEFAULT_CONCURRENCY;
    // Asked for by name: every one runs, whatever it would prove.
    const request = await e2eRequest(checkout, chosen, { concurrency, gate: false, all: true });
    const settings = await serviceSettings(checkout, stage.name);
    const {
      summary: { e2e: results },
    } = await executePlan({
      ...runOptions(
        context,
        lock,
        { concurrency, retries: 0, retryDelay: 0 },
        { settings, outputs: new OutputCache(settings, context.access) },
        false,
      ),
      plan: testOnlyPlan(stage.name, checkout, request),
      failFast: false,
      previous: (await context.store.read(stage.name)).services,
      e2e: request,
    });
    await writeJUnit(io.cwd, flags.junit, results, stage.name);
    report.e2e = results;
    await report.write();
    // The live view ends before the results: both may share one terminal.
    reporter.close();
    if (flags.json) {
      io.stdout(
        JSON.stringify({ version: 1, stage: stage.name, head: checkout.head, results }, null, 2) + '\n',
      );
    } else {
      io.stdout(renderE2eResults(results, stage.name));
    }
    return (
      lock.interruptedExit() ??
      (results.some((result) => result.status === 'failed') || lock.signal.aborted ? 1 : 0)
    );
  },
});
