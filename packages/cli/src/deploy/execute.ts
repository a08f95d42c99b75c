// Runs a plan's deploys: DAG order per region, retries, outputs to dependents, state recorded per service.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { deployTasks, type DeployTask, type PackageName, type Plan } from '@shipgraph/core';
import { stackOutputs } from '../aws/cloudformation.js';
import type { StateStore } from '../state/store.js';
import type { ServiceSettings } from '../stacks/services.js';
import { DeployFailure, deployerFor } from './deployer.js';
import { outputVariables } from './outputs.js';
import { runDag } from './run-dag.js';
import type { DeployResult, DeploySummary } from './summary.js';

export interface ExecuteOptions {
  plan: Plan;
  regions: readonly string[];
  settings: ReadonlyMap<PackageName, ServiceSettings>;
  store: StateStore;
  root: string;
  concurrency: number;
  failFast: boolean;
  retries: number;
  retryDelayMs: number;
  signal: AbortSignal;
  /** Passes a signal on to every running deploy process. */
  children: Set<(signal: NodeJS.Signals) => void>;
  log: (line: string) => void;
  now: () => Date;
}

export async function executePlan(options: ExecuteOptions): Promise<DeploySummary> {
  const { plan, regions, settings, store, root } = options;
  const tasks = deployTasks(plan, regions);
  const logDir = join(root, '.shipgraph', 'logs', plan.stage);
  const outputDir = join(root, '.shipgraph', 'outputs', plan.stage);
  await Promise.all([mkdir(logDir, { recursive: true }), mkdir(outputDir, { recursive: true })]);

  const outputs = new Map<string, Promise<Record<string, string>>>();
  const outputsOf = (service: PackageName, region: string): Promise<Record<string, string>> => {
    const key = `${service}@${region}`;
    let found = outputs.get(key);
    if (found === undefined) {
      const stackName = settings.get(service)?.stackName(region) ?? null;
      found =
        stackName === null
          ? Promise.resolve({})
          : stackOutputs(region, stackName).then((values) => values ?? {});
      outputs.set(key, found);
    }
    return found;
  };
  const regionsLeft = new Map<PackageName, number>();
  for (const task of tasks) regionsLeft.set(task.service, (regionsLeft.get(task.service) ?? 0) + 1);
  const details = new Map<string, { attempts: number; log: string; outputs?: Record<string, string> }>();
  const planned = new Map(plan.services.map((service) => [service.name, service]));

  const deployOne = async (task: DeployTask): Promise<void> => {
    const service = planned.get(task.service);
    const setting = settings.get(task.service);
    if (service === undefined || setting === undefined) throw new Error(`no settings for ${task.service}`);
    const logFile = join(logDir, `${task.service.replace(/[^A-Za-z0-9._-]+/g, '_')}.${task.region}.log`);
    const detail = { attempts: 0, log: relative(root, logFile) };
    details.set(task.id, detail);
    const stream = createWriteStream(logFile);
    const prefix = `[${task.service}/${task.region}]`;
    const log = (line: string) => {
      stream.write(`${line}\n`);
      options.log(`${prefix} ${line}`);
    };
    try {
      const dependencyOutputs: Record<PackageName, Record<string, string>> = {};
      for (const dep of service.dependsOn) dependencyOutputs[dep] = await outputsOf(dep, task.region);
      const outputsFile = join(
        outputDir,
        `${task.service.replace(/[^A-Za-z0-9._-]+/g, '_')}.${task.region}.json`,
      );
      await writeFile(outputsFile, JSON.stringify(dependencyOutputs, null, 2) + '\n');
      const deployer = await deployerFor(setting.deployer);
      const context = {
        service: task.service,
        dir: join(root, setting.dir),
        root,
        stage: plan.stage,
        region: task.region,
        commit: plan.head,
        stackName: setting.stackName(task.region),
        dependencyOutputs,
        env: {
          SHIPGRAPH_STAGE: plan.stage,
          SHIPGRAPH_REGION: task.region,
          SHIPGRAPH_COMMIT: plan.head,
          SHIPGRAPH_SERVICE: task.service,
          SHIPGRAPH_OUTPUTS_FILE: outputsFile,
          AWS_REGION: task.region,
          AWS_DEFAULT_REGION: task.region,
          ...outputVariables(dependencyOutputs),
        },
        log,
        track: (kill: (signal: NodeJS.Signals) => void) => {
          options.children.add(kill);
          return () => options.children.delete(kill);
        },
      };
      let result: Record<string, string> | undefined;
      for (let attempt = 0; result === undefined; attempt++) {
        detail.attempts = attempt + 1;
        try {
          result = await deployer.deploy(context);
        } catch (error) {
          const transient = error instanceof DeployFailure && error.transient;
          if (!transient || attempt >= options.retries || options.signal.aborted) throw error;
          const delay = options.retryDelayMs * 2 ** attempt;
          log(
            `transient failure (${(error as Error).message}); retry ${attempt + 1} of ${options.retries} in ${delay / 1000}s`,
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      outputs.set(task.id, Promise.resolve(result));
      details.set(task.id, { ...detail, outputs: result });
      await recordWhenAllRegionsDone(task, service.fingerprint);
    } catch (error) {
      log(`failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      await closeStream(stream);
    }
  };

  const recordWhenAllRegionsDone = async (task: DeployTask, fingerprint: string | null): Promise<void> => {
    const left = (regionsLeft.get(task.service) ?? 1) - 1;
    regionsLeft.set(task.service, left);
    if (left > 0) return;
    await store.record(plan.stage, task.service, {
      commit: plan.head,
      fingerprint,
      deployedAt: options.now().toISOString(),
      regions: [...regions],
    });
  };

  const outcomes = await runDag(tasks, {
    concurrency: options.concurrency,
    failFast: options.failFast,
    signal: options.signal,
    run: deployOne,
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
        results.push({ ...base, status: 'unchanged', startedAt: null, endedAt: null, durationMs: null });
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
        results.push(
          outcome.status === 'succeeded'
            ? { ...base, ...timing, status: 'deployed', outputs: detail?.outputs ?? {} }
            : { ...base, ...timing, status: 'failed', error: messageOf(outcome.error) },
        );
      }
    }
  }
  const ok = results.every((result) => result.status === 'deployed' || result.status === 'unchanged');
  return { version: 1, stage: plan.stage, head: plan.head, ok, interrupted: null, results };
}

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

const closeStream = (stream: WriteStream): Promise<void> => new Promise((resolve) => stream.end(resolve));
