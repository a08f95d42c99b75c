// The e2e stage: each service's end-to-end script, in dependency order, against the stage just deployed.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitSha, PackageName } from '@shipgraph/core';
import type { ProgressEvent } from '../progress/contract.js';
import { packageManager } from '../process/package-manager.js';
import { runCommand } from '../process/run-command.js';
import { NotStarted } from '../run/interrupts.js';
import { stepEnvironment, type OutputCache } from '../steps/outputs.js';
import { openStepLog } from '../steps/step-log.js';
import { readJUnitCases, type E2eCase } from './junit-cases.js';

export interface E2eResult {
  service: PackageName;
  region: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number | null;
  log: string | null;
  /** Why it failed or was skipped. */
  detail?: string;
  /** Each test, when the script wrote JUnit XML to $SHIPGRAPH_E2E_JUNIT. */
  cases?: E2eCase[];
}

/**
 * A service's e2e over every region: passed everywhere, failed somewhere, not run everywhere
 * (interrupted: still untested), or none to run (no script).
 */
export type E2eOutcome = 'passed' | 'failed' | 'untested' | 'none';

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
  /** Where each run's progress and output lines go. */
  report: (event: ProgressEvent) => void;
  now: () => Date;
  /** Called once a service's e2e ran in every region (or could not: interrupted, or no script). */
  onServiceDone?: (service: PackageName, outcome: E2eOutcome) => Promise<void>;
}

/** One service at a time, each region in turn: e2e suites share the stage, so they do not run side by side. */
export async function runE2e(options: E2eOptions): Promise<E2eResult[]> {
  const results: E2eResult[] = [];
  const manager = await packageManager(options.root);
  for (const target of options.targets) {
    if (!(await hasScript(target.dir, options.script))) {
      for (const region of options.regions)
        results.push(skipped(target, region, `no "${options.script}" script`));
      await options.onServiceDone?.(target.name, 'none');
      continue;
    }
    let outcome: E2eOutcome = 'passed';
    for (const region of options.regions) {
      if (options.signal.aborted) {
        options.report({
          type: 'blocked',
          step: { service: target.name, region, kind: 'e2e' },
          why: 'interrupted',
        });
        results.push(skipped(target, region, 'interrupted'));
        if (outcome === 'passed') outcome = 'untested';
        continue;
      }
      const result = await runOne(target, region, manager, options);
      if (result.status === 'failed') outcome = 'failed';
      results.push(result);
    }
    await options.onServiceDone?.(target.name, outcome);
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
  const step = { service: target.name, region, kind: 'e2e' } as const;
  const clock = (): number => options.now().getTime();
  const started = clock();
  options.report({ type: 'started', step });
  const stepLog = await openStepLog(options.root, options.stage, `${target.name}.${region}.e2e`, (line) => {
    options.report({ type: 'output', step, line });
  });
  // Where the script may write JUnit XML (vitest --reporter=junit, jest-junit...) for one case per test.
  const junit = join(options.root, stepLog.path.replace(/\.log$/, '.junit.xml'));
  await rm(junit, { force: true });
  const cases = async (): Promise<{ cases?: E2eCase[] }> => {
    const found = await readJUnitCases(junit);
    return found === null ? {} : { cases: found };
  };
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
    env.SHIPGRAPH_E2E_JUNIT = junit;
    await runCommand(manager, ['run', options.script], {
      dir: target.dir,
      env,
      log: stepLog.line,
      signal: options.signal,
      track: (kill) => {
        options.children.add(kill);
        return () => {
          options.children.delete(kill);
        };
      },
    });
    const durationMs = clock() - started;
    options.report({ type: 'finished', step, status: 'passed', durationMs });
    return {
      service: target.name,
      region,
      status: 'passed',
      durationMs,
      log: stepLog.path,
      ...(await cases()),
    };
  } catch (error) {
    if (error instanceof NotStarted) {
      stepLog.line(error.message);
      options.report({ type: 'blocked', step, why: 'interrupted' });
      return skipped(target, region, 'interrupted');
    }
    const detail = error instanceof Error ? error.message : String(error);
    // Taken before the line below: the test's own last lines say why.
    const lastLines = stepLog.lastLines();
    stepLog.line(`e2e failed: ${detail}`);
    const durationMs = clock() - started;
    options.report({
      type: 'finished',
      step,
      status: 'failed',
      durationMs,
      reason: detail,
      lastLines,
      log: stepLog.path,
    });
    return {
      service: target.name,
      region,
      status: 'failed',
      durationMs,
      log: stepLog.path,
      detail,
      ...(await cases()),
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
