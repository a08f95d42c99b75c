// What every step of a run shares, from the run's context and its stage lock: where logs go, the
// reporter, the clock, and the signal and running processes the lock's signal handlers reach.
import { randomBytes } from 'node:crypto';
import type { StepRuntime } from '../steps/runner.js';
import type { RunContext } from './context.js';
import type { StageLock } from './stage-lock.js';

export const stepRuntime = (context: RunContext, lock: StageLock): StepRuntime => ({
  runId: randomBytes(4).toString('hex'),
  root: context.checkout.repo.root,
  stage: context.stage.name,
  report: (event) => {
    context.reporter.report(event);
  },
  now: context.io.now,
  signal: lock.signal,
  children: lock.children,
});
