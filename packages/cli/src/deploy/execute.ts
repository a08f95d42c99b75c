// Runs a plan: its deploys and the e2e runs after them as one DAG per region, each step started as
// soon as what it waits for has succeeded, each service recorded the moment it is deployed and tested.
import {
  expectedDurations,
  runTasks,
  type PackageName,
  type Plan,
  type RunTask,
  type ServiceRecord,
} from '@shipgraph/core';
import { fromSource, type Keeping } from '../artifacts/keeping.js';
import type { ResolvedDependencies } from '../deployers/contract.js';
import { e2eStep, type E2eSetting } from '../e2e/e2e-step.js';
import type { E2eRequest } from '../e2e/stage.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import type { ProgressEvent, StepRef } from '../progress/contract.js';
import type { StateStore } from '../state/store.js';
import type { OutputCache } from '../steps/outputs.js';
import { runStep, StepFailed, StepInterrupted, type StepRuntime } from '../steps/runner.js';
import { deployStep, type DeploySetting } from './deploy-step.js';
import { RunRecords } from './records.js';
import { deployResults, e2eResults, type Ended, type StepEnding } from './results.js';
import { runDag } from './run-dag.js';
import type { DeploySummary } from './summary.js';

export interface ExecuteOptions {
  plan: Plan;
  regions: readonly string[];
  settings: ReadonlyMap<PackageName, ServiceSettings>;
  store: StateStore;
  outputs: OutputCache;
  root: string;
  concurrency: number;
  failFast: boolean;
  retries: number;
  retryDelayMs: number;
  signal: AbortSignal;
  /** Passes a signal on to every running deploy process. */
  children: Set<(signal: NodeJS.Signals) => void>;
  /** Where each deploy's progress and output lines go. */
  report: (event: ProgressEvent) => void;
  now: () => Date;
  /** The checkout differed from the planned commit (--allow-dirty): records say so. */
  dirty?: boolean;
  /** The stage's records before this run: how long each step took last time, what a retest tests. */
  previous?: Readonly<Record<PackageName, ServiceRecord>>;
  /** A service's resolved production dependencies, each computed once, when a deployer asks. */
  resolvedDependencies: (service: PackageName) => Promise<ResolvedDependencies>;
  /** How packages are made, kept and recorded (default: deployed from source, nothing kept). */
  keeping?: Keeping;
  /** The e2e runs of this run, or null when it runs none. */
  e2e?: E2eRequest | null;
}

/** A run that ended: its summary, and the steps it ran with what each waited for (the report draws them). */
export interface ExecutedRun {
  summary: DeploySummary;
  tasks: readonly RunTask[];
}

export async function executePlan(options: ExecuteOptions): Promise<ExecutedRun> {
  const { plan, regions, signal, root } = options;
  const e2e = options.e2e ?? null;
  const tested = new Set(e2e?.targets.filter((target) => target.hasScript).map((target) => target.name));
  const tasks = runTasks(plan, regions, { e2e: tested, gate: e2e?.gate ?? false });
  const planned = new Map(plan.services.map((service) => [service.name, service]));
  const targets = new Map(e2e?.targets.map((target) => [target.name, target]));
  const runtime: StepRuntime = {
    root,
    stage: plan.stage,
    report: options.report,
    now: options.now,
    signal,
    children: options.children,
  };
  const keeping = options.keeping ?? fromSource;
  const records = new RunRecords({
    ...options,
    stage: plan.stage,
    head: plan.head,
    keeping,
    dirty: options.dirty === true,
    previous: options.previous ?? {},
  });
  const deploys: DeploySetting = { ...options, stage: plan.stage, head: plan.head, keeping };
  const tests: E2eSetting | null =
    e2e === null ? null : { ...e2e.setting, root, stage: plan.stage, outputs: options.outputs };
  const steps = new Map<string, StepEnding>();

  const run = async (task: RunTask): Promise<void> => {
    const service = planned.get(task.service);
    const target = targets.get(task.service);
    if (task.kind === 'deploy' && service !== undefined) {
      const done = await ending(task, runStep(runtime, deployStep(deploys, service, task.region)));
      await records.deployed(service, task.region, done.result, done.endedAt - done.startedAt);
    } else if (task.kind === 'e2e' && tests !== null && target !== undefined) {
      const tested = (passed: boolean, took: { startedAt: number; endedAt: number }) =>
        records.tested(
          task.service,
          service?.deploy === true,
          task.region,
          passed,
          took.endedAt - took.startedAt,
        );
      try {
        await tested(true, await ending(task, runStep(runtime, e2eStep(tests, target, task.region))));
      } catch (error) {
        if (error instanceof StepFailed) await tested(false, error);
        throw error;
      }
    } else throw new Error(`nothing to run for ${task.id}`);
  };
  /** Keeps how each step ended, for the summary. */
  const ending = async <T extends StepEnding>(task: RunTask, step: Promise<T>): Promise<T> => {
    try {
      const done = await step;
      steps.set(task.id, done);
      return done;
    } catch (error) {
      if (error instanceof StepFailed || error instanceof StepInterrupted) steps.set(task.id, error);
      throw error;
    }
  };

  const byId = new Map(tasks.map((task) => [task.id, task]));
  const outcomes = await runDag(tasks, {
    concurrency: options.concurrency,
    caps: { e2e: e2e?.concurrency ?? options.concurrency },
    failFast: options.failFast,
    signal,
    run,
    durations: expectedDurations(tasks, options.previous ?? {}),
    onEvent: (event) => {
      const task = byId.get(event.id);
      if (task === undefined) return;
      const step: StepRef = { service: task.service, region: task.region, kind: task.kind };
      // An e2e run shows once it can start: until its service has deployed, the deploy's row says enough.
      if (event.type === 'waiting' && (task.kind === 'deploy' || event.on.length === 0))
        options.report({ type: 'waiting', step, on: event.on.map((id) => byId.get(id)?.service ?? id) });
      else if (event.type === 'blocked')
        options.report({ type: 'blocked', step, why: blockedWhy(event.why, byId) });
    },
  });

  const ended: Ended = { outcomes, steps, why: (why) => blockedWhy(why, byId) };
  const results = deployResults(plan, regions, ended);
  const deployedEverywhere = (name: PackageName): boolean =>
    results
      .filter((result) => result.service === name)
      .every((result) => ['deployed', 'unchanged', 'skipped'].includes(result.status));
  const e2eRows =
    e2e === null ? [] : e2eResults(e2e.targets, regions, e2e.setting.script, deployedEverywhere, ended);
  for (const target of e2e?.targets ?? [])
    if (!target.hasScript && deployedEverywhere(target.name)) await records.untestable(target.name);
  const ok = [...results, ...e2eRows].every((result) => !['failed', 'blocked'].includes(result.status));
  return {
    summary: { version: 1, stage: plan.stage, head: plan.head, ok, interrupted: null, results, e2e: e2eRows },
    tasks,
  };
}

/** `blocked by orders@eu-west-1` reads `blocked: orders failed` (the line names the region already). */
function blockedWhy(why: string, tasks: ReadonlyMap<string, RunTask>): string {
  return why.replace(/^blocked by (.+)$/, (whole, id: string) => {
    const task = tasks.get(id);
    if (task === undefined) return whole;
    return task.kind === 'e2e' ? `${task.service} e2e failed` : `${task.service} failed`;
  });
}
