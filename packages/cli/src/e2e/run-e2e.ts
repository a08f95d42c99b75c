// The e2e stage: each service's end-to-end script, in dependency order, against the stage just deployed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitSha, PackageName } from '@shipgraph/core';
import { packageManager } from '../deploy/deployers/npm-script.js';
import { runDeployCommand } from '../deploy/deployers/process.js';
import { stepEnvironment, type OutputCache } from '../deploy/outputs.js';
import { openStepLog } from '../deploy/step-log.js';

export interface E2eResult {
  service: PackageName;
  region: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number | null;
  log: string | null;
  /** Why it failed or was skipped. */
  detail?: string;
}

export interface E2eTarget {
  name: PackageName;
  /** Absolute directory of the service. */
  dir: string;
  /** The services whose outputs it gets besides its own. */
  dependsOn: readonly PackageName[];
}

export interface E2eOptions {
  /** In dependency order. */
  targets: readonly E2eTarget[];
  regions: readonly string[];
  script: string;
  root: string;
  stage: string;
  commit: CommitSha;
  outputs: OutputCache;
  signal: AbortSignal;
  children: Set<(signal: NodeJS.Signals) => void>;
  log: (line: string) => void;
  /** Called once a service's e2e ran in every region. */
  onServiceDone?: (service: PackageName, passed: boolean) => Promise<void>;
}

/** One service at a time, each region in turn: e2e suites share the stage, so they do not run side by side. */
export async function runE2e(options: E2eOptions): Promise<E2eResult[]> {
  const results: E2eResult[] = [];
  const manager = await packageManager(options.root);
  for (const target of options.targets) {
    if (!(await hasScript(target.dir, options.script))) {
      for (const region of options.regions)
        results.push(skipped(target, region, `no "${options.script}" script`));
      continue;
    }
    let passed = true;
    for (const region of options.regions) {
      if (options.signal.aborted) {
        results.push(skipped(target, region, 'interrupted'));
        passed = false;
        continue;
      }
      const result = await runOne(target, region, manager, options);
      passed &&= result.status === 'passed';
      results.push(result);
    }
    await options.onServiceDone?.(target.name, passed);
  }
  return results;
}

const skipped = (target: E2eTarget, region: string, detail: string): E2eResult => ({
  service: target.name,
  region,
  status: 'skipped',
  durationMs: null,
  log: null,
  detail,
});

async function runOne(
  target: E2eTarget,
  region: string,
  manager: string,
  options: E2eOptions,
): Promise<E2eResult> {
  const stepLog = await openStepLog(
    options.root,
    options.stage,
    `${target.name}.${region}.e2e`,
    `[${target.name}/${region} e2e]`,
    options.log,
  );
  const started = Date.now();
  try {
    const outputs = await options.outputs.collect([target.name, ...target.dependsOn], region);
    const env = await stepEnvironment({
      root: options.root,
      stage: options.stage,
      region,
      commit: options.commit,
      service: target.name,
      step: 'e2e',
      outputs,
    });
    await runDeployCommand(manager, ['run', options.script], {
      dir: target.dir,
      env,
      log: stepLog.line,
      track: (kill) => {
        options.children.add(kill);
        return () => {
          options.children.delete(kill);
        };
      },
    });
    return {
      service: target.name,
      region,
      status: 'passed',
      durationMs: Date.now() - started,
      log: stepLog.path,
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    stepLog.line(`e2e failed: ${detail}`);
    return {
      service: target.name,
      region,
      status: 'failed',
      durationMs: Date.now() - started,
      log: stepLog.path,
      detail,
    };
  } finally {
    await stepLog.close();
  }
}

async function hasScript(dir: string, script: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, unknown>;
    };
    return typeof manifest.scripts?.[script] === 'string';
  } catch {
    return false;
  }
}
