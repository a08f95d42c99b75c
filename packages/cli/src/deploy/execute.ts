// Runs a plan's deploys: DAG order per region, retries, outputs to dependents, state recorded per service.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  deployTasks,
  expectedDurations,
  ShipgraphError,
  type DeployTask,
  type PackageName,
  type Plan,
  type ServiceRecord,
} from '@shipgraph/core';
import { fromSource, type Keeping } from '../artifacts/keeping.js';
import type { KeptOutcome } from '../artifacts/kept-deploy.js';
import { DeployFailure, type DeployContext, type ResolvedDependencies } from '../deployers/contract.js';
import { deployerFor } from '../deployers/registry.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import type { ProgressEvent, StepRef } from '../progress/contract.js';
import { NotStarted, startUnlessInterrupted } from '../run/interrupts.js';
import type { StateStore } from '../state/store.js';
import { stepEnvironment, type OutputCache } from '../steps/outputs.js';
import { openStepLog } from '../steps/step-log.js';
import { runDag } from './run-dag.js';
import type { DeployResult, DeploySummary } from './summary.js';

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
  /** The stage's records before this run: how long each deploy took last time. */
  previous?: Readonly<Record<PackageName, ServiceRecord>>;
  /** A service's resolved production dependencies, each computed once, when a deployer asks. */
  resolvedDependencies: (service: PackageName) => Promise<ResolvedDependencies>;
  /** How packages are made, kept and recorded (default: deployed from source, nothing kept). */
  keeping?: Keeping;
}

export async function executePlan(options: ExecuteOptions): Promise<DeploySummary> {
  const { plan, regions, settings, store, root } = options;
  const tasks = deployTasks(plan, regions);
  const regionsLeft = new Map<PackageName, number>();
  for (const task of tasks) regionsLeft.set(task.service, (regionsLeft.get(task.service) ?? 0) + 1);
  const details = new Map<
    string,
    { attempts: number; log: string; outputs?: Record<string, string>; changed?: boolean | null }
  >();
  // Per service, what each region's deploy changed and how long it took, for the record written once all are done.
  const changes = new Map<PackageName, (boolean | null)[]>();
  const durations = new Map<PackageName, Record<string, number>>();
  const planned = new Map(plan.services.map((service) => [service.name, service]));
  const keeping = options.keeping ?? fromSource;
  // Per service, the code hash of the package each region deployed (null: none kept).
  const codes = new Map<PackageName, (string | null)[]>();

  const interrupted = (): boolean => options.signal.aborted;
  const clock = (): number => options.now().getTime();
  const stepOf = (task: DeployTask): StepRef => ({
    service: task.service,
    region: task.region,
    kind: 'deploy',
  });
  const deployOne = async (task: DeployTask): Promise<void> => {
    const began = clock();
    const service = planned.get(task.service);
    const setting = settings.get(task.service);
    if (service === undefined || setting === undefined) throw new Error(`no settings for ${task.service}`);
    const step = stepOf(task);
    const stepLog = await openStepLog(root, plan.stage, `${task.service}.${task.region}`, (line) => {
      options.report({ type: 'output', step, line });
    });
    const detail = { attempts: 0, log: stepLog.path };
    details.set(task.id, detail);
    const log = stepLog.line;
    try {
      const dependencyOutputs = await options.outputs.collect(service.dependsOn, task.region);
      const env = await stepEnvironment({
        root,
        stage: plan.stage,
        region: task.region,
        commit: keeping.commitOf(task.service, plan.head),
        service: task.service,
        step: 'deploy',
        outputs: dependencyOutputs,
      });
      const deployer = await deployerFor(setting.deployer);
      const context: DeployContext = {
        service: task.service,
        dir: join(root, setting.dir),
        root,
        stage: plan.stage,
        region: task.region,
        commit: keeping.commitOf(task.service, plan.head),
        stackName: setting.stackName(task.region),
        dependencyOutputs,
        resolvedDependencies: () => options.resolvedDependencies(task.service),
        env,
        log,
        track: (kill: (signal: NodeJS.Signals) => void) => {
          options.children.add(kill);
          return () => options.children.delete(kill);
        },
        signal: options.signal,
      };
      let result: KeptOutcome | undefined;
      const started = clock();
      for (let attempt = 0; result === undefined; attempt++) {
        detail.attempts = attempt + 1;
        startUnlessInterrupted(options.signal);
        try {
          result = await keeping.deploy(deployer, context, service);
        } catch (error) {
          const transient = error instanceof DeployFailure && error.transient;
          if (!transient || attempt >= options.retries || options.signal.aborted) throw error;
          const delay = options.retryDelayMs * 2 ** attempt;
          const reason = (error as Error).message;
          log(
            `transient failure (${reason}); retry ${attempt + 1} of ${options.retries} in ${delay / 1000}s`,
          );
          options.report({
            type: 'retrying',
            step,
            attempt: attempt + 1,
            of: options.retries,
            delayMs: delay,
            reason,
          });
          // A signal ends the wait, and the retry does not start.
          await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
          if (interrupted()) throw error;
        }
      }
      options.outputs.set(task.service, task.region, result.outputs);
      details.set(task.id, { ...detail, outputs: result.outputs, changed: result.changed });
      if (result.changed === false) log('nothing changed: the deploy found everything already as it is');
      changes.set(task.service, [...(changes.get(task.service) ?? []), result.changed]);
      codes.set(task.service, [...(codes.get(task.service) ?? []), result.code]);
      durations.set(task.service, { ...durations.get(task.service), [task.region]: clock() - started });
      await recordWhenAllRegionsDone(task, service.fingerprint);
      const status = result.changed === false ? 'unchanged' : 'deployed';
      options.report({ type: 'finished', step, status, durationMs: clock() - began });
    } catch (error) {
      if (error instanceof NotStarted) {
        log(error.message);
        throw error;
      }
      // Taken before the line below: the tool's own last lines say why.
      const lastLines = stepLog.lastLines();
      const reason = describeError(error);
      log(`failed: ${reason}`);
      options.report({
        type: 'finished',
        step,
        status: 'failed',
        durationMs: clock() - began,
        reason,
        lastLines,
        log: stepLog.path,
      });
      throw error;
    } finally {
      await stepLog.close();
    }
  };

  const recordWhenAllRegionsDone = async (task: DeployTask, fingerprint: string | null): Promise<void> => {
    const left = (regionsLeft.get(task.service) ?? 1) - 1;
    regionsLeft.set(task.service, left);
    if (left > 0) return;
    const stacks: Record<string, string> = {};
    for (const region of regions) {
      const name = settings.get(task.service)?.stackName(region) ?? null;
      if (name !== null) stacks[region] = name;
    }
    const changed = changes.get(task.service) ?? [];
    const commit = keeping.commitOf(task.service, plan.head);
    const kept = await keeping.recorded(task.service, commit, codes.get(task.service) ?? []);
    await store.record(plan.stage, task.service, {
      ...kept,
      commit,
      changed: changed.includes(true) ? true : changed.every((one) => one === false) ? false : null,
      // Tested by the e2e stage, if it runs: until then, what is deployed is not.
      e2e: { status: 'untested', commit, at: options.now().toISOString() },
      fingerprint: options.dirty === true ? null : fingerprint,
      ...(options.dirty === true ? { dirty: true } : {}),
      deployedAt: options.now().toISOString(),
      regions: [...regions],
      ...(Object.keys(stacks).length > 0 ? { stacks } : {}),
      durationsMs: durations.get(task.service) ?? {},
    });
  };

  const byId = new Map(tasks.map((task) => [task.id, task]));
  const serviceOf = (id: string): string => byId.get(id)?.service ?? id;
  const outcomes = await runDag(tasks, {
    concurrency: options.concurrency,
    failFast: options.failFast,
    signal: options.signal,
    run: deployOne,
    durations: expectedDurations(tasks, options.previous ?? {}),
    onEvent: (event) => {
      const task = byId.get(event.id);
      if (task === undefined) return;
      const step = stepOf(task);
      if (event.type === 'waiting') options.report({ type: 'waiting', step, on: event.on.map(serviceOf) });
      else if (event.type === 'started') options.report({ type: 'started', step });
      else options.report({ type: 'blocked', step, why: blockedWhy(event.why, serviceOf) });
    },
  });

  const results: DeployResult[] = [];
  for (const service of plan.services) {
    for (const region of regions) {
      const id = `${service.name}@${region}`;
      const outcome = outcomes.get(id);
      const detail = details.get(id);
      const base = {
        service: service.name,
        region,
        attempts: detail?.attempts ?? 0,
        log: detail?.log ?? null,
      };
      if (outcome === undefined) {
        results.push({ ...base, status: 'skipped', startedAt: null, endedAt: null, durationMs: null });
      } else if (outcome.status === 'blocked') {
        results.push({
          ...base,
          status: 'blocked',
          startedAt: null,
          endedAt: null,
          durationMs: null,
          error: outcome.why,
        });
      } else {
        const timing = {
          startedAt: outcome.startedAt,
          endedAt: outcome.endedAt,
          durationMs: outcome.endedAt - outcome.startedAt,
        };
        const changed = detail?.changed ?? null;
        results.push(
          outcome.status === 'succeeded'
            ? {
                ...base,
                ...timing,
                status: changed === false ? 'unchanged' : 'deployed',
                changed,
                outputs: detail?.outputs ?? {},
              }
            : { ...base, ...timing, status: 'failed', error: describeError(outcome.error) },
        );
      }
    }
  }
  const ok = results.every((result) => !['failed', 'blocked'].includes(result.status));
  return { version: 1, stage: plan.stage, head: plan.head, ok, interrupted: null, results, e2e: [] };
}

/** One line: a ShipgraphError keeps its code and its fix (a missing serverless binary says how to install it). */
const describeError = (error: unknown): string => {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (!(error instanceof ShipgraphError)) return message;
  return `${error.code}: ${message}${error.hint === undefined ? '' : ` (fix: ${error.hint})`}`;
};

/** `blocked by orders@eu-west-1` reads `blocked: orders failed` (the line names the region already). */
const blockedWhy = (why: string, serviceOf: (id: string) => string): string =>
  why.replace(/^blocked by (\S+)$/, (_whole, id: string) => `${serviceOf(id)} failed`);
