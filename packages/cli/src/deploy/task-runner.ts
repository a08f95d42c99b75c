// How each task of a run runs: its deploy or e2e step through the step runner, its outcome recorded in
// the state as soon as the service's regions are all done, and how it ended kept for the summary.
import type { RunTask } from '@shipgraph/core';
import { fromSource } from '../artifacts/keeping.js';
import { e2eStep } from '../e2e/e2e-step.js';
import { runStep, StepFailed, StepInterrupted } from '../steps/runner.js';
import { deployStep } from './deploy-step.js';
import { RunRecords } from './records.js';
import type { StepEnding } from './results.js';
import type { ExecuteOptions } from './run-options.js';

export interface TaskRunner {
  run: (task: RunTask) => Promise<void>;
  /** How each step that started ended, by task id. */
  steps: ReadonlyMap<string, StepEnding>;
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

  const run = async (task: RunTask): Promise<void> => {
    const service = planned.get(task.service);
    const target = targets.get(task.service);
    const e2e = options.e2e ?? null;
    if (task.kind === 'deploy' && service !== undefined) {
      const done = await ending(task, runStep(runtime, deployStep(deploys, service, task.region)));
      await records.deployed(service, task.region, done.result, done.endedAt - done.startedAt);
    } else if (task.kind === 'e2e' && e2e !== null && target !== undefined) {
      const setting = {
        ...e2e.setting,
        root: runtime.root,
        stage: plan.stage,
        outputs: options.outputs,
        access: options.access,
      };
      const tested = (passed: boolean, took: { startedAt: number; endedAt: number }) =>
        records.tested(
          task.service,
          service?.deploy === true,
          task.region,
          passed,
          took.endedAt - took.startedAt,
        );
      try {
        await tested(true, await ending(task, runStep(runtime, e2eStep(setting, target, task.region))));
      } catch (error) {
        if (error instanceof StepFailed) await tested(false, error);
        throw error;
      }
    } else throw new Error(`nothing to run for ${task.id}`);
  };
  return { run, steps, records };
}
