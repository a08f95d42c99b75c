// Runs a plan: its deploys and the e2e runs after them as one DAG per region, each step started as
// soon as what it waits for has succeeded, each service recorded the moment it is deployed and tested.
import { expectedDurations, runTasks, type PackageName, type RunTask } from '@shipgraph/core';
import type { StepRef } from '../progress/contract.js';
import { deployResults, e2eResults, type Ended } from './results.js';
import { runDag } from './run-dag.js';
import type { ExecuteOptions } from './run-options.js';
import type { DeploySummary } from './summary.js';
import { taskRunner } from './task-runner.js';

export type { ExecuteOptions };

/** A run that ended: its summary, and the steps it ran with what each waited for (the report draws them). */
export interface ExecutedRun {
  summary: DeploySummary;
  tasks: readonly RunTask[];
}

export async function executePlan(options: ExecuteOptions): Promise<ExecutedRun> {
  const { plan, regions, runtime } = options;
  const e2e = options.e2e ?? null;
  const tested = new Set(e2e?.targets.filter((target) => target.hasScript).map((target) => target.name));
  const tasks = runTasks(plan, regions, { e2e: tested, gate: e2e?.gate ?? false });
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const { run, steps, notes, records } = taskRunner(options);
  const outcomes = await runDag(tasks, {
    concurrency: options.concurrency,
    caps: { e2e: e2e?.concurrency ?? options.concurrency },
    failFast: options.failFast,
    signal: runtime.signal,
    run,
    durations: expectedDurations(tasks, options.previous ?? {}),
    onEvent: (event) => {
      const task = byId.get(event.id);
      if (task === undefined) return;
      const step: StepRef = { service: task.service, region: task.region, kind: task.kind };
      // An e2e run shows once it can start: until its service has deployed, the deploy's row says enough.
      if (event.type === 'waiting' && (task.kind === 'deploy' || event.on.length === 0))
        runtime.report({ type: 'waiting', step, on: event.on.map((id) => byId.get(id)?.service ?? id) });
      else if (event.type === 'blocked')
        runtime.report({ type: 'blocked', step, why: blockedWhy(event.why, byId) });
    },
  });

  const ended: Ended = { outcomes, steps, notes, why: (why) => blockedWhy(why, byId) };
  const results = deployResults(plan, regions, ended);
  const deployedEverywhere = (name: PackageName): boolean =>
    results
      .filter((result) => result.service === name)
      .every((result) => ['deployed', 'unchanged', 'skipped'].includes(result.status));
  const e2eRows =
    e2e === null ? [] : e2eResults(e2e.targets, regions, e2e.setting.script, deployedEverywhere, ended);
  // A service without e2e tests has nothing to prove: its record says nothing of them.
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
