// `shipgraph deploy`: the CodeBuild build phase. Lock the stage, plan, deploy, record, summarise.
import { buildGraph, selectServices, type PackageName, type Plan, type StageState } from '@shipgraph/core';
import { fromSource, keptIn, type Keeping } from '../artifacts/keeping.js';
import { ArtifactStore } from '../artifacts/store.js';
import type { Stage } from '../config/stage.js';
import { checkDeployable } from '../deploy/checkout.js';
import { executePlan } from '../deploy/execute.js';
import { readPlanFile } from '../deploy/plan-file.js';
import { runOptions } from '../deploy/run-options.js';
import { renderSummary, type DeploySummary } from '../deploy/summary.js';
import { e2eChoice, e2eRequest, notProvenYet, writeJUnit } from '../e2e/stage.js';
import { CliError } from '../errors.js';
import { message, occasion, sendNotification } from '../notify/notify.js';
import { webhookUrl } from '../notify/webhook-url.js';
import { planRun, skippedBy } from '../planning/plan-run.js';
import { describeRemoval, removalOf, removeServices } from '../remove/removal.js';
import { describeReason } from '../render/reasons.js';
import { openReport } from '../report/run-report.js';
import { openReporter } from '../progress/registry.js';
import { openRun, type RunContext } from '../run/context.js';
import { lockRunStage } from '../run/stage-lock.js';
import { OutputCache } from '../steps/outputs.js';
import { serviceSettings } from '../planning/service-settings.js';
import { defineCommand } from './command.js';
import {
  deployFlags,
  e2eFlags,
  jsonFlag,
  lockFlags,
  outputFlags,
  planFlags,
  reportFlags,
  withFlags,
} from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 deploy', "Deploy what changed since each service's last deploy, then run their e2e tests"],
    [
      "$0 deploy --stage prod --only 'orders...' --concurrency 2",
      'orders and what it depends on, two deploys at a time',
    ],
    [
      '$0 deploy --plan plan.json --json',
      'Run exactly a saved plan (plan --json); print the summary as JSON',
    ],
  ],

  flags: (argv) =>
    withFlags(argv, {
      ...planFlags,
      ...deployFlags,
      'fail-fast': { type: 'boolean', default: false, describe: 'Start nothing new after the first failure' },
      plan: { type: 'string', requiresArg: true, describe: 'Run exactly this plan (from plan --json)' },
      ...lockFlags,
      'check-stacks': {
        type: 'boolean',
        default: true,
        describe: 'Deploy services whose stack is missing (--no-check-stacks to skip)',
      },
      'skip-e2e': { type: 'boolean', default: false, describe: 'Do not run e2e tests after deploying' },
      ...e2eFlags,
      junit: {
        type: 'string',
        requiresArg: true,
        describe: 'Write the e2e results as JUnit XML to this file',
      },
      'allow-dirty': {
        type: 'boolean',
        default: false,
        describe:
          'Deploy even if the checkout is not the planned commit as committed (recorded as dirty: deployed again next time)',
      },
      ...jsonFlag('Print the summary as JSON'),
      ...reportFlags,
      ...outputFlags,
    }),

  async run(flags, io) {
    // Disposed after the lock (declared before it): the lock's last words still reach stderr.
    using reporter = await openReporter(io, flags);
    const context = await openRun(io, { ...flags, build: true, reporter });
    const { checkout, decision, stage, store, log, warn } = context;
    // What this build is for, and why, comes first.
    log(`shipgraph deploy: ${decision.why}`);
    for (const warning of checkout.warnings) warn(`shipgraph: warning: ${warning}`);
    // Before anything deploys: a report that cannot be written fails the run now, not at its end.
    await using report = await openReport(flags.report, 'deploy', context);
    if (decision.action !== 'deploy') report.notes.push(decision.why);
    if (decision.action === 'teardown') {
      const exitCode = await teardownPreview(context, flags);
      await report.write();
      return exitCode;
    }
    const skipped = skippedBy(decision);
    if (skipped !== null) {
      log('nothing deploys');
      await report.write();
      if (flags.json) io.stdout(JSON.stringify(emptySummary(context, skipped), null, 2) + '\n');
      return 0;
    }
    log(`stage ${stage.name} (${stage.regions.join(', ')}) at ${checkout.head.slice(0, 12)}`);
    // Before the lock: a refused run leaves the state and the lock as they were.
    const { difference: dirty, edited } = await checkDeployable(checkout, flags.allowDirty);
    if (edited.length > 0)
      log(
        `the build edited ${edited.map((file) => file.path).join(', ')} (checkout.buildMayEdit): recorded with what ${edited.length === 1 ? 'it holds' : 'they hold'}`,
      );
    const planned = flags.plan === undefined ? null : await readPlanFile(flags.plan, context);
    // A stage's role is assumed now: one that cannot be stops the run before the lock and any deploy.
    await context.access.env();
    if (dirty !== null)
      warn(
        `warning: ${dirty}; deploying it anyway (--allow-dirty): recorded as dirty, deployed again next time`,
      );

    // A run limited with --only locks just its services, where the state backend can.
    const only =
      flags.only === undefined
        ? null
        : selectServices(buildGraph(checkout.workspace), flags.only, flags.exclude ?? []).map(
            (service) => service.name,
          );
    await using lock = await lockRunStage(context, flags.lockTimeout, only);
    const state = await store.read(stage.name);
    const plan = planned ?? (await planRun(context, state, flags));
    report.plan = plan;
    announce(plan, log);
    const settings = await serviceSettings(checkout, stage.name);
    const outputs = new OutputCache(settings, context.access);
    const e2e =
      flags.skipE2e || !stage.e2e
        ? null
        : await e2eRequest(checkout, servicesToTest(plan, state), e2eChoice(checkout.config, flags));
    if (e2e === null)
      log(
        `e2e: skipped (${flags.skipE2e ? '--skip-e2e' : `turned off for stage ${stage.name} in the config`})`,
      );
    const { summary, tasks } = await executePlan({
      ...runOptions(context, lock, flags, { settings, outputs }, dirty !== null),
      plan,
      failFast: flags.failFast,
      previous: state.services,
      keeping: keepingFor(stage, dirty !== null, log),
      edited,
      e2e,
    });
    report.run = { summary, tasks };
    if (e2e !== null) await writeJUnit(io.cwd, flags.junit, summary.e2e, stage.name);
    if (!lock.signal.aborted) await notifyAndRecord(context, state, summary);
    const interrupted = lock.received();
    summary.interrupted = interrupted ?? (lock.lost() === null ? null : 'lost lock');
    if (!lock.signal.aborted || interrupted !== null) summary.ok &&= interrupted === null;
    if (lock.lost() !== null) summary.ok = false;
    report.e2e = summary.e2e;
    await report.write();
    // The live view ends before the summary: both may share one terminal.
    reporter.close();
    io.stdout(flags.json ? JSON.stringify(summary, null, 2) + '\n' : renderSummary(summary));
    return lock.interruptedExit() ?? (summary.ok ? 0 : 1);
  },
});

/** A merged or closed pull request: its whole preview stage goes, orphans included. */
async function teardownPreview(
  context: RunContext,
  flags: { lockTimeout: number; json: boolean },
): Promise<number> {
  const { checkout, stage, store, io, log } = context;
  if (stage.protected) {
    throw new CliError('E_PROTECTED', `stage ${stage.name} is protected; a pull request never removes it`, {
      hint: 'preview stages (pr-*) must not be marked "protected" in the config',
    });
  }
  await using lock = await lockRunStage(context, flags.lockTimeout);
  const state = await store.read(stage.name);
  const removal = removalOf(checkout, state, { only: null, orphans: true });
  const results = await removeServices(context, lock, state, removal);
  const ok = results.every((result) => result.status === 'removed');
  context.reporter.close();
  log(
    results.length === 0
      ? `nothing recorded in stage ${stage.name}`
      : `${results.filter((result) => result.status === 'removed').length} of ${results.length} services removed from ${stage.name}`,
  );
  io.stdout(
    flags.json
      ? JSON.stringify(
          { version: 1, stage: stage.name, head: checkout.head, ok, removed: results },
          null,
          2,
        ) + '\n'
      : results.map((result) => `${describeRemoval(result)}\n`).join(''),
  );
  return lock.interruptedExit() ?? (ok ? 0 : 1);
}

/**
 * Services the plan deploys (tested once deployed), and those it leaves alone whose e2e failed or
 * never ran (a --skip-e2e or interrupted run).
 */
function servicesToTest(plan: Plan, state: StageState): Set<PackageName> {
  const unproven = new Set(notProvenYet(state.services));
  return new Set(
    plan.services
      .filter((service) => service.deploy || unproven.has(service.name))
      .map((service) => service.name),
  );
}

/** Remembers how this run ended, and tells the team if that is news (or the stage wants every deploy). */
async function notifyAndRecord(
  context: RunContext,
  state: StageState,
  summary: DeploySummary,
): Promise<void> {
  const { checkout, stage, store, io, log } = context;
  const source = checkout.config.webhookUrl;
  const what = occasion(summary, state.lastRun, stage.notify);
  if (source !== null && what !== null) {
    const found = await webhookUrl(source, io.env, stage.regions[0] ?? 'us-east-1');
    if ('skipped' in found) log(`notification skipped: ${found.skipped}`);
    else await sendNotification(found.url, message(summary, what, io.env.CODEBUILD_BUILD_URL), log);
  }
  await store.recordRun(stage.name, { ok: summary.ok, commit: checkout.head, at: io.now().toISOString() });
}

function announce(plan: Plan, log: (line: string) => void): void {
  const deploying = plan.services.filter((service) => service.deploy);
  log(`${deploying.length} of ${plan.services.length} services deploy, in ${plan.batches.length} batch(es)`);
  for (const service of deploying)
    log(`  ${service.name}: ${service.reasons.map(describeReason).join('; ')}`);
}

function emptySummary(
  context: RunContext,
  skipped: NonNullable<Plan['skipped']>,
): DeploySummary & { skipped: object } {
  return {
    version: 1,
    stage: context.stage.name,
    head: context.checkout.head,
    ok: true,
    interrupted: null,
    skipped,
    results: [],
    e2e: [],
  };
}

/** Packages are kept when the stage says so, but never of a checkout that is not its commit. */
function keepingFor(stage: Stage, dirty: boolean, log: (line: string) => void): Keeping {
  if (stage.artifacts === null) return fromSource;
  if (dirty) {
    log(`warning: nothing is kept in s3://${stage.artifacts.bucket}: the checkout is not the planned commit`);
    return fromSource;
  }
  return keptIn(new ArtifactStore(stage.artifacts, stage.name));
}
