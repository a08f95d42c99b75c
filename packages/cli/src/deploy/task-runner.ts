// How each task of a run runs: its deploy or e2e step through the step runner, its outcome recorded in
// the state as soon as the service's regions are all done, and how it ended kept for the summary.
import { taskId, type PackageName, type PlannedService, type RunTask } from '@shipgraph/core';
import { fromSource } from '../artifacts/keeping.js';
import { e2eStep, type E2eTarget } from '../e2e/e2e-step.js';
import type { E2eRequest } from '../e2e/stage.js';
import { runStep, StepFailed, StepInterrupted } from '../steps/runner.js';
import { changedOutputs, deployCondition, type RegionDeploy } from './conditions.js';
import { deployStep } from './deploy-step.js';
import { RunRecords } from './records.js';
import type { StepEnding } from './results.js';
import type { ExecuteOptions } from './run-options.js';

export interface TaskRunner {
  run: (task: RunTask) => Promise<void>;
  /** How each step that started ended (or that the run did without it), by task id. */
  steps: ReadonlyMap<string, StepEnding>;
  /** Why a conditional deploy went ahead, by task id. */
  notes: ReadonlyMap<string, string>;
  records: RunRecords;
}

export function taskRunner(options: ExecuteOptions): TaskRunner {
  const { plan, runtime } = options;
  const keeping = options.keeping ?? fromSource;
  const previous = options.previous ?? {};
  const records = new RunRecords({
    ...options,
    stage: plan.stage,
    head: plan.head,
    now: runtime.now,
    keeping,
    dirty: options.dirty === true,
    previous,
  });
  const deploys = { ...options, root: runtime.root, stage: plan.stage, head: plan.head, keeping };
  const planned = new Map(plan.services.map((service) => [service.name, service]));
  const targets = new Map(options.e2e?.targets.map((target) => [target.name, target]));
  const steps = new Map<string, StepEnding>();
  const notes = new Map<string, string>();

  /** Runs the step, keeping how it ended. */
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

  /** A step the run did without: said so, and kept for the summary. */
  const without = (task: RunTask, why: string): void => {
    steps.set(task.id, { skipped: why });
    runtime.report({
      type: 'finished',
      step: { service: task.service, region: task.region, kind: task.kind },
      status: 'skipped',
      durationMs: 0,
      reason: why,
    });
  };
  /** What a service's deploy in a region did in this run (null: it did not deploy there). */
  const deployIn = (name: PackageName, region: string): RegionDeploy => {
    const step = steps.get(taskId(name, region));
    return step !== undefined && 'result' in step && 'outputs' in step.result
      ? { outputs: step.result.outputs, changed: step.result.changed }
      : null;
  };

  const deploy = async (task: RunTask, service: PlannedService): Promise<void> => {
    const conditionalOn = service.conditionalOn;
    if (conditionalOn !== undefined) {
      const deployOf = (name: PackageName) => deployIn(name, task.region);
      const condition = deployCondition({ ...service, conditionalOn }, task.region, deployOf, previous);
      if (!condition.deploys) {
        without(task, condition.why);
        await records.skipped(service, task.region);
        return;
      }
      notes.set(task.id, condition.why);
    }
    const step = deployStep(deploys, service, task.region, notes.get(task.id));
    const done = await ending(task, runStep(runtime, step));
    await records.deployed(service, task.region, done.result, done.endedAt - done.startedAt);
  };

  const test = async (task: RunTask, e2e: E2eRequest, target: E2eTarget): Promise<void> => {
    const tested = (passed: boolean, durationMs: number, carried = false) =>
      records.tested({
        service: task.service,
        region: task.region,
        deploysNow: planned.get(task.service)?.deploy === true,
        passed,
        durationMs,
        inputs: target.inputs,
        carried,
      });
    const unchanged = e2e.all ? null : nothingMoved(task.service, task.region, target.inputs);
    if (unchanged !== null) {
      without(task, unchanged.why);
      await tested(true, unchanged.durationMs, true);
      return;
    }
    const setting = {
      ...e2e.setting,
      root: runtime.root,
      stage: plan.stage,
      outputs: options.outputs,
      access: options.access,
    };
    try {
      const done = await ending(task, runStep(runtime, e2eStep(setting, target, task.region)));
      await tested(true, done.endedAt - done.startedAt);
    } catch (error) {
      if (error instanceof StepFailed) await tested(false, error.endedAt - error.startedAt);
      throw error;
    }
  };

  const run = async (task: RunTask): Promise<void> => {
    const service = planned.get(task.service);
    const target = targets.get(task.service);
    const e2e = options.e2e ?? null;
    if (task.kind === 'deploy' && service !== undefined) await deploy(task, service);
    else if (task.kind === 'e2e' && e2e !== null && target !== undefined) await test(task, e2e, target);
    else throw new Error(`nothing to run for ${task.id}`);
  };

  /**
   * Null when the e2e run of a service in a region must run; else why it need not: its tests passed on
   * what is in the cloud now, with these tests. Its own deploy and those of every service it depends
   * on (in this run, in this region) changed nothing, outputs included.
   */
  const nothingMoved = (
    name: PackageName,
    region: string,
    inputs: string | undefined,
  ): { why: string; durationMs: number } | null => {
    const record = previous[name];
    const proof = record?.e2e;
    if (proof?.status !== 'passed' || proof.cloud === undefined || proof.cloud !== record?.cloudSince)
      return null;
    if (inputs === undefined || proof.inputs !== inputs) return null;
    for (const one of [name, ...upstreamOf(name)]) {
      const now = deployIn(one, region);
      const ran = steps.get(taskId(one, region));
      if (ran !== undefined && !('skipped' in ran) && now === null) return null;
      if (now === null) continue;
      if (now.changed !== false) return null;
      const before = previous[one]?.outputs?.[region];
      if (before === undefined || changedOutputs(before, now.outputs).length > 0) return null;
    }
    const at = (proof.carriedFrom ?? proof.commit).slice(0, 12);
    return {
      why: `nothing changed in the cloud since e2e passed at ${at}`,
      durationMs: proof.durationsMs?.[region] ?? 0,
    };
  };

  /** Every service a service depends on, through libraries and other services. */
  const upstreamOf = (name: PackageName): PackageName[] => {
    const seen = new Set<PackageName>();
    const stack = [...(planned.get(name)?.dependsOn ?? [])];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(planned.get(next)?.dependsOn ?? []));
    }
    return [...seen];
  };
  return { run, steps, notes, records };
}
