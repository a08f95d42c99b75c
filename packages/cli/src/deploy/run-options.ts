// What every command that runs deployers (deploy, promote) hands executePlan from its run: the
// stage's regions and services, the lock's signal, the reporter, the clock and the run flags.
import type { RunContext } from '../run/context.js';
import type { StageLock } from '../run/stage-lock.js';
import type { OutputCache } from '../steps/outputs.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import type { PackageName } from '@shipgraph/core';
import type { ExecuteOptions } from './execute.js';
import { resolvedDependenciesOf } from './resolved-dependencies.js';

export interface RunFlags {
  concurrency: number;
  retries: number;
  /** Seconds before the first retry. */
  retryDelay: number;
}

export type RunOptions = Omit<ExecuteOptions, 'plan' | 'failFast' | 'previous' | 'keeping'>;

export function runOptions(
  context: RunContext,
  lock: StageLock,
  flags: RunFlags,
  services: { settings: ReadonlyMap<PackageName, ServiceSettings>; outputs: OutputCache },
  /** The checkout differs from its commit (--allow-dirty). */
  dirty: boolean,
): RunOptions {
  return {
    regions: context.stage.regions,
    settings: services.settings,
    outputs: services.outputs,
    store: context.store,
    root: context.checkout.repo.root,
    concurrency: flags.concurrency,
    retries: flags.retries,
    retryDelayMs: flags.retryDelay * 1000,
    signal: lock.signal,
    children: lock.children,
    report: (event) => {
      context.reporter.report(event);
    },
    now: context.io.now,
    dirty,
    resolvedDependencies: resolvedDependenciesOf(context.checkout, dirty),
  };
}
