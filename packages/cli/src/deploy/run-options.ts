// What executePlan is handed, and how every command that runs deployers (deploy, promote, e2e) makes
// it from its run: the stage's regions, access and services, the steps' runtime, the run flags.
import type { PackageName, Plan, ServiceRecord } from '@shipgraph/core';
import type { Keeping } from '../artifacts/keeping.js';
import type { StageAccess } from '../aws/access.js';
import type { ResolvedDependencies } from '../deployers/contract.js';
import type { E2eRequest } from '../e2e/stage.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import type { RunContext } from '../run/context.js';
import type { StageLock } from '../run/stage-lock.js';
import { stepRuntime } from '../run/step-runtime.js';
import type { StateStore } from '../state/store.js';
import type { OutputCache } from '../steps/outputs.js';
import type { StepRuntime } from '../steps/runner.js';
import { resolvedDependenciesOf } from './resolved-dependencies.js';

export interface ExecuteOptions {
  plan: Plan;
  regions: readonly string[];
  /** How the run reaches AWS in the stage: its clients, and its processes' credentials. */
  access: StageAccess;
  settings: ReadonlyMap<PackageName, ServiceSettings>;
  store: StateStore;
  outputs: OutputCache;
  /** Where logs go, the reporter, the clock, the signal and the running processes. */
  runtime: StepRuntime;
  concurrency: number;
  failFast: boolean;
  retries: number;
  retryDelayMs: number;
  /** The checkout differed from the planned commit (--allow-dirty): records say so. */
  dirty?: boolean;
  /** Files the build edited as the config allows: each record says what they held. */
  edited?: NonNullable<ServiceRecord['edited']>;
  /** The stage's records before this run: how long each step took last time, what a retest tests. */
  previous?: Readonly<Record<PackageName, ServiceRecord>>;
  /** A service's resolved production dependencies, each computed once, when a deployer asks. */
  resolvedDependencies: (service: PackageName) => Promise<ResolvedDependencies>;
  /** How packages are made, kept and recorded (default: deployed from source, nothing kept). */
  keeping?: Keeping;
  /** The e2e runs of this run, or null when it runs none. */
  e2e?: E2eRequest | null;
}

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
    access: context.access,
    settings: services.settings,
    outputs: services.outputs,
    store: context.store,
    runtime: stepRuntime(context, lock),
    concurrency: flags.concurrency,
    retries: flags.retries,
    retryDelayMs: flags.retryDelay * 1000,
    dirty,
    resolvedDependencies: resolvedDependenciesOf(context.checkout, dirty),
  };
}
