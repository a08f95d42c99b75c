// How each step of a run ended, as the summary's rows: a deploy per service and region, then the e2e runs.
import { e2eTaskId, taskId, type PackageName, type Plan } from '@shipgraph/core';
import type { KeptOutcome } from '../artifacts/kept-deploy.js';
import { E2eFailed, type E2eResult, type E2eRun } from '../e2e/e2e-step.js';
import type { StepDone, StepFailed, StepInterrupted } from '../steps/runner.js';
import type { TaskOutcome } from './run-dag.js';
import type { DeployResult } from './summary.js';

/**
 * What the runner said of a step that started: its result, its failure, or the signal that stopped it;
 * or why the run did without it (a conditional deploy not needed, an e2e run that would prove nothing new).
 */
export type StepEnding =
  StepDone<KeptOutcome> | StepDone<E2eRun> | StepFailed | StepInterrupted | { skipped: string };

export interface Ended {
  outcomes: ReadonlyMap<string, TaskOutcome>;
  steps: ReadonlyMap<string, StepEnding>;
  /** Why a conditional deploy went ahead. */
  notes: ReadonlyMap<string, string>;
  /** Turns the DAG's `blocked by <task>` into words. */
  why: (blocked: string) => string;
}

export function deployResults(plan: Plan, regions: readonly string[], ended: Ended): DeployResult[] {
  return plan.services.flatMap((service) =>
    regions.map((region): DeployResult => {
      const id = taskId(service.name, region);
      const outcome = ended.outcomes.get(id);
      const step = ended.steps.get(id);
      const base = {
        service: service.name,
        region,
        attempts: step !== undefined && 'attempts' in step ? step.attempts : 0,
        log: step !== undefined && 'log' in step ? step.log : null,
      };
      const notRun = { startedAt: null, endedAt: null, durationMs: null };
      if (outcome === undefined) return { ...base, ...notRun, status: 'skipped' };
      if (step !== undefined && 'skipped' in step)
        return { ...base, ...notRun, status: 'skipped', note: step.skipped };
      if (outcome.status === 'blocked') return { ...base, ...notRun, status: 'blocked', error: outcome.why };
      const timing = {
        startedAt: outcome.startedAt,
        endedAt: outcome.endedAt,
        durationMs: outcome.endedAt - outcome.startedAt,
      };
      if (outcome.status === 'failed' || step === undefined || !('result' in step))
        return { ...base, ...timing, status: 'failed', error: failureOf(step) };
      const { changed, outputs } = step.result as KeptOutcome;
      const note = ended.notes.get(id);
      return {
        ...base,
        ...timing,
        status: changed === false ? 'unchanged' : 'deployed',
        changed,
        outputs,
        ...(note === undefined ? {} : { note }),
      };
    }),
  );
}

/**
 * Per target, in the order given, a row per region. A service without the script has nothing to run:
 * said once its deploys went well (or it had none to do).
 */
export function e2eResults(
  targets: readonly { name: PackageName; hasScript: boolean }[],
  regions: readonly string[],
  script: string,
  deployedEverywhere: (service: PackageName) => boolean,
  ended: Ended,
): E2eResult[] {
  const notRun = { startedAt: null, endedAt: null, durationMs: null, log: null };
  return targets.flatMap((target) => {
    if (!target.hasScript) {
      if (!deployedEverywhere(target.name)) return [];
      return regions.map((region): E2eResult => ({
        service: target.name,
        region,
        status: 'skipped',
        ...notRun,
        detail: `no "${script}" script`,
      }));
    }
    return regions.map((region): E2eResult => {
      const id = e2eTaskId(target.name, region);
      const outcome = ended.outcomes.get(id);
      const step = ended.steps.get(id);
      const row = { service: target.name, region };
      if (step !== undefined && 'skipped' in step)
        return { ...row, status: 'skipped', ...notRun, detail: step.skipped };
      if (outcome === undefined || outcome.status === 'blocked') {
        const why = outcome?.status === 'blocked' ? ended.why(outcome.why) : 'not run';
        return {
          ...row,
          status: 'skipped',
          ...notRun,
          log: step !== undefined && 'log' in step ? step.log : null,
          detail: why,
        };
      }
      const timing = {
        startedAt: outcome.startedAt,
        endedAt: outcome.endedAt,
        durationMs: outcome.endedAt - outcome.startedAt,
        log: step !== undefined && 'log' in step ? step.log : null,
      };
      if (outcome.status === 'succeeded' && step !== undefined && 'result' in step) {
        const { cases } = step.result as E2eRun;
        return { ...row, status: 'passed', ...timing, ...(cases === undefined ? {} : { cases }) };
      }
      const cause = step instanceof Error ? step.cause : undefined;
      const cases = cause instanceof E2eFailed ? cause.cases : undefined;
      return {
        ...row,
        status: 'failed',
        ...timing,
        detail: failureOf(step),
        ...(cases === undefined ? {} : { cases }),
      };
    });
  });
}

const failureOf = (step: StepEnding | undefined): string => (step instanceof Error ? step.message : 'failed');
