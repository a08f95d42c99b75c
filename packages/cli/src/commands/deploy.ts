// `shipgraph deploy`: the CodeBuild build phase. Lock the stage, plan, deploy, record, summarise.
import { readFile } from 'node:fs/promises';
import {
  selectServices,
  servicesOf,
  ShipgraphError,
  type PackageName,
  type Plan,
  type StageState,
} from '@shipgraph/core';
import { checkDeployable } from '../deploy/checkout.js';
import { executePlan } from '../deploy/execute.js';
import { OutputCache } from '../deploy/outputs.js';
import { notProvenYet, runE2eStage } from '../e2e/stage.js';
import { renderSummary, type DeploySummary } from '../deploy/summary.js';
import { planRun, prepareRun, skippedBy, type Checkout, type PreparedRun } from '../planning/load.js';
import { nameList } from '../planning/options.js';
import type { PlanFlags } from '../planning/options.js';
import { schemaProblems } from '../config/schema-check.js';
import { serviceSettings } from '../stacks/services.js';
import { describeReason } from '../render/reasons.js';
import { message, occasion, sendNotification } from '../notify/notify.js';
import { webhookUrl } from '../notify/webhook-url.js';
import { describeRemoval, removalOf, removeServices } from './destroy.js';
import { openStageRun } from './stage-run.js';
import type { Io } from './io.js';

export interface DeployFlags extends PlanFlags {
  concurrency: number;
  failFast: boolean;
  retries: number;
  retryDelay: number;
  plan?: string | undefined;
  lockTimeout: number;
  json: boolean;
  checkStacks: boolean;
  skipE2e: boolean;
  junit?: string | undefined;
  allowDirty: boolean;
}

export async function deployCommand(flags: DeployFlags, io: Io): Promise<number> {
  // Flags were checked where they were parsed (flags.ts).
  const log = (line: string) => {
    io.stderr(`${line}\n`);
  };
  const prepared = await prepareRun(io.cwd, flags, io.env);
  const { checkout, decision, stage, store } = prepared;
  // What this build is for, and why, comes first.
  log(`shipgraph deploy: ${decision.why}`);
  for (const warning of checkout.warnings) log(`shipgraph: warning: ${warning}`);
  if (decision.action === 'teardown') return teardownPreview(prepared, flags, io, log);
  const skipped = skippedBy(decision);
  if (skipped !== null) {
    log('nothing deploys');
    if (flags.json) io.stdout(JSON.stringify(emptySummary(prepared, skipped), null, 2) + '\n');
    return 0;
  }
  log(`stage ${stage.name} (${stage.regions.join(', ')}) at ${checkout.head.slice(0, 12)}`);
  // Before the lock: a refused run leaves the state and the lock as they were.
  const { dirty } = await checkDeployable(checkout, flags.allowDirty);
  const planned = flags.plan === undefined ? null : await readPlanFile(flags.plan, prepared);
  if (dirty !== null)
    log(
      `warning: ${dirty}; deploying it anyway (--allow-dirty): recorded as dirty, deployed again next time`,
    );

  // A run limited with --only locks just its services, where the state backend can.
  const run = await openStageRun({
    store,
    stage: stage.name,
    services: onlyServices(checkout, flags),
    timeoutMs: flags.lockTimeout * 1000,
    env: io.env,
    log,
  });
  try {
    const state = await store.read(stage.name);
    const plan = planned ?? (await planRun(prepared, flags, state, { checkStacks: flags.checkStacks }));
    announce(plan, log);
    const settings = await serviceSettings(checkout, stage.name);
    const outputs = new OutputCache(settings);
    const summary = await executePlan({
      plan,
      regions: stage.regions,
      settings,
      store,
      outputs,
      root: checkout.repo.root,
      concurrency: flags.concurrency,
      failFast: flags.failFast,
      retries: flags.retries,
      retryDelayMs: flags.retryDelay * 1000,
      signal: run.signal,
      children: run.children,
      log,
      now: io.now,
      dirty: dirty !== null,
    });
    if (flags.skipE2e || !stage.e2e) {
      log(
        `e2e: skipped (${flags.skipE2e ? '--skip-e2e' : `turned off for stage ${stage.name} in the config`})`,
      );
    } else if (!run.signal.aborted) {
      summary.e2e = await runE2eStage({
        checkout,
        stage: stage.name,
        regions: stage.regions,
        store,
        services: servicesToTest(summary, state),
        outputs,
        junit: flags.junit,
        cwd: io.cwd,
        signal: run.signal,
        children: run.children,
        log,
        now: io.now,
      });
      if (summary.e2e.some((result) => result.status === 'failed')) summary.ok = false;
    }
    if (!run.signal.aborted) await notifyAndRecord(prepared, state, summary, io, log);
    const interrupted = run.received();
    summary.interrupted = interrupted ?? (run.lost() === null ? null : 'lost lock');
    if (!run.signal.aborted || interrupted !== null) summary.ok &&= interrupted === null;
    if (run.lost() !== null) summary.ok = false;
    io.stdout(flags.json ? JSON.stringify(summary, null, 2) + '\n' : renderSummary(summary));
    return run.interruptedExit() ?? (summary.ok ? 0 : 1);
  } finally {
    await run.release();
  }
}

const onlyServices = (checkout: Checkout, flags: DeployFlags): PackageName[] | null =>
  flags.only === undefined
    ? null
    : selectServices(servicesOf(checkout.workspace), nameList(flags.only), nameList(flags.exclude)).map(
        (service) => service.name,
      );

/** A merged or closed pull request: its whole preview stage goes, orphans included. */
async function teardownPreview(
  prepared: PreparedRun,
  flags: DeployFlags,
  io: Io,
  log: (line: string) => void,
): Promise<number> {
  const { checkout, stage, store } = prepared;
  if (stage.protected) {
    throw new ShipgraphError(
      'E_PROTECTED',
      `stage ${stage.name} is protected; a pull request never removes it`,
      {
        hint: 'preview stages (pr-*) must not be marked "protected" in the config',
      },
    );
  }
  const run = await openStageRun({
    store,
    stage: stage.name,
    services: null,
    timeoutMs: flags.lockTimeout * 1000,
    env: io.env,
    log,
  });
  try {
    const state = await store.read(stage.name);
    const removal = removalOf(checkout, state, { only: null, orphans: true });
    const results = await removeServices({
      checkout,
      stage,
      store,
      state,
      removal,
      log,
      signal: run.signal,
      children: run.children,
    });
    const ok = results.every((result) => result.status === 'removed');
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
    return run.interruptedExit() ?? (ok ? 0 : 1);
  } finally {
    await run.release();
  }
}

/**
 * Services deployed in every region this run (their tools changed something or not), and those the
 * plan left alone whose e2e failed or never ran (a --skip-e2e or interrupted run).
 */
function servicesToTest(summary: DeploySummary, state: StageState): Set<PackageName> {
  const byService = new Map<PackageName, string[]>();
  for (const result of summary.results)
    byService.set(result.service, [...(byService.get(result.service) ?? []), result.status]);
  const chosen = new Set<PackageName>();
  for (const [service, statuses] of byService) {
    if (statuses.every((status) => status === 'deployed' || status === 'unchanged')) chosen.add(service);
  }
  for (const service of notProvenYet(state.services)) {
    if (byService.get(service)?.every((status) => status === 'skipped') === true) chosen.add(service);
  }
  return chosen;
}

/** Remembers how this run ended, and tells the team if that is news (or the stage wants every deploy). */
async function notifyAndRecord(
  prepared: PreparedRun,
  state: StageState,
  summary: DeploySummary,
  io: Io,
  log: (line: string) => void,
): Promise<void> {
  const { checkout, stage, store } = prepared;
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

/**
 * A plan saved by `plan --json`, checked whole before anything is locked or deployed: the shape by
 * plan.schema.json, then that it is for this commit, this stage and this workspace's services.
 */
async function readPlanFile(file: string, prepared: PreparedRun): Promise<Plan> {
  const invalid = (problem: string, hint = 'pass a file written by `shipgraph plan --json`') =>
    new ShipgraphError('E_PLAN_INVALID', `${file} is not a shipgraph plan: ${problem}`, { hint });
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === undefined
      ? invalid(`not JSON (${(error as Error).message})`)
      : new ShipgraphError('E_USAGE', `cannot read plan ${file}: ${(error as Error).message}`, {
          hint: 'pass the path of a file written by `shipgraph plan --json`',
          cause: error,
        });
  }
  const problems = await schemaProblems('plan', document);
  if (problems.length > 0) throw invalid(problems.join('; '));
  const plan = document as Plan;
  const names = plan.services.map((service) => service.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw invalid(`it lists ${twice} twice`);
  const { checkout, stage } = prepared;
  if (plan.head !== checkout.head) {
    throw new ShipgraphError(
      'E_PLAN_MISMATCH',
      `${file} was planned for ${plan.head.slice(0, 12)}, but this run is at ${checkout.head.slice(0, 12)}`,
      { hint: 'plan again for this commit: shipgraph plan --json > plan.json' },
    );
  }
  if (plan.stage !== stage.name) {
    throw new ShipgraphError(
      'E_PLAN_MISMATCH',
      `${file} was planned for stage ${plan.stage}, not ${stage.name}`,
      {
        hint: `plan again with --stage ${stage.name}`,
      },
    );
  }
  const services = new Map(servicesOf(checkout.workspace).map((service) => [service.name, service.dir]));
  const foreign = plan.services.filter((service) => services.get(service.name) !== service.path);
  const unknown = [...plan.services.flatMap((service) => service.dependsOn), ...plan.batches.flat()].filter(
    (name) => !services.has(name),
  );
  if (foreign.length > 0 || unknown.length > 0) {
    const which = [...new Set([...foreign.map((service) => service.name), ...unknown])]
      .slice(0, 3)
      .join(', ');
    throw new ShipgraphError(
      'E_PLAN_MISMATCH',
      `${file} names services that are not this workspace's (or not where it has them): ${which}`,
      { hint: 'plan again in this checkout: shipgraph plan --json > plan.json' },
    );
  }
  return plan;
}

function emptySummary(
  prepared: PreparedRun,
  skipped: NonNullable<Plan['skipped']>,
): DeploySummary & { skipped: object } {
  return {
    version: 1,
    stage: prepared.stage.name,
    head: prepared.checkout.head,
    ok: true,
    interrupted: null,
    skipped,
    results: [],
    e2e: [],
  };
}
