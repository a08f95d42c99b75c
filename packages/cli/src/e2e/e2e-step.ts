// What one e2e run of a service in a region runs: its e2e script, with its own outputs and its
// dependencies' in the environment, and where a test runner may write JUnit XML.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitSha, PackageName } from '@shipgraph/core';
import { runCommand } from '../process/run-command.js';
import type { StageAccess } from '../aws/access.js';
import { stepEnvironment } from '../steps/context.js';
import type { OutputCache } from '../steps/outputs.js';
import type { Step } from '../steps/runner.js';
import { readJUnitCases, type E2eCase } from './junit-cases.js';

/** What every e2e run of a run shares. */
export interface E2eSetting {
  root: string;
  stage: string;
  commit: CommitSha;
  access: StageAccess;
  outputs: OutputCache;
  /** The package script that runs a service's e2e tests, and the package manager that runs it. */
  script: string;
  manager: string;
}

export interface E2eTarget {
  name: PackageName;
  /** Absolute directory of the service. */
  dir: string;
  /** The services whose outputs it gets besides its own. */
  dependsOn: readonly PackageName[];
  /** A fingerprint of its tests (files, script, config): when it and the cloud are as they were, they need not run. */
  inputs?: string;
}

/** A service's e2e run in a region, as the summary, JUnit and the report show it. */
export interface E2eResult {
  service: PackageName;
  region: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Epoch milliseconds; null for what did not run. */
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  log: string | null;
  /** Why it failed or was skipped. */
  detail?: string;
  /** Each test, when the script wrote JUnit XML to $SHIPGRAPH_E2E_JUNIT. */
  cases?: E2eCase[];
}

/** A run that ended: passed, or failed with each test's result when the runner wrote JUnit XML. */
export interface E2eRun {
  cases?: E2eCase[];
}

/** Thrown by a failed run, carrying the cases the runner wrote before it failed. */
export class E2eFailed extends Error {
  constructor(
    message: string,
    readonly cases: E2eCase[] | undefined,
  ) {
    super(message);
  }
}

export function e2eStep(run: E2eSetting, target: E2eTarget, region: string): Step<E2eRun> {
  const logName = `${target.name}.${region}.e2e`;
  return {
    ref: { service: target.name, region, kind: 'e2e' },
    logName,
    ended: () => 'passed',
    // A run a signal killed proves nothing either way: the service stays untested.
    whenSignalled: 'interrupted while running',
    work: async (tools) => {
      // Where the script may write JUnit XML (vitest --reporter=junit, jest-junit...) for one case per test.
      const junit = join(run.root, tools.logPath.replace(/\.log$/, '.junit.xml'));
      await rm(junit, { force: true });
      const outputs = await run.outputs.collect([target.name, ...target.dependsOn], region);
      const place = { ...run, region, service: target.name };
      const env = await stepEnvironment(place, 'e2e', outputs);
      env.SHIPGRAPH_E2E_JUNIT = junit;
      try {
        await runCommand(run.manager, ['run', run.script], { dir: target.dir, env, ...tools });
      } catch (error) {
        throw new E2eFailed((error as Error).message, (await readJUnitCases(junit)) ?? undefined);
      }
      const cases = await readJUnitCases(junit);
      return cases === null ? {} : { cases };
    },
  };
}

/** The service's e2e script as its package.json has it, or null when it has none. */
export async function scriptOf(dir: string, script: string): Promise<string | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, unknown>;
    };
    const found = manifest.scripts?.[script];
    return typeof found === 'string' ? found : null;
  } catch {
    return null;
  }
}
