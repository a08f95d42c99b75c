// Which services a run tests, with what, and the JUnit report of how it went.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import {
  buildGraph,
  e2eInputs,
  InputIndex,
  inDependencyOrder,
  nearestServiceDeps,
  type PackageName,
  type Plan,
} from '@shipgraph/core';
import type { ShipgraphConfig } from '../config/config.js';
import { CliError } from '../errors.js';
import type { Checkout } from '../planning/checkout.js';
import { packageManager } from '../process/package-manager.js';
import { scriptOf, type E2eResult, type E2eSetting, type E2eTarget } from './e2e-step.js';
import { junitXml } from './junit.js';

/** The e2e runs a run asks for: whom to test, with which script, how many at once, whether they gate. */
export interface E2eRequest {
  /** Services to test, in dependency order; those without the script are reported, not run. */
  targets: readonly (E2eTarget & { hasScript: boolean })[];
  setting: Omit<E2eSetting, 'root' | 'stage' | 'outputs' | 'access'>;
  /** E2e runs at once, beside the deploys. */
  concurrency: number;
  /** Dependents' deploys wait for a service's e2e runs, and are blocked when one fails. */
  gate: boolean;
  /** Run every e2e run, even those that would prove nothing new (--e2e-all). */
  all: boolean;
}

export interface E2eChoice {
  concurrency: number;
  gate: boolean;
  all: boolean;
}

/** The flags, else the config, else as many e2e runs at once as deploys, none gating. */
export const e2eChoice = (
  config: ShipgraphConfig,
  flags: {
    concurrency: number;
    e2eConcurrency?: number | undefined;
    e2eGate?: boolean | undefined;
    e2eAll?: boolean | undefined;
  },
): E2eChoice => ({
  concurrency: flags.e2eConcurrency ?? config.e2e.concurrency ?? flags.concurrency,
  gate: flags.e2eGate ?? config.e2e.gate,
  all: flags.e2eAll ?? false,
});

/** The request to test `services` of the checkout, in dependency order. */
export async function e2eRequest(
  checkout: Checkout,
  services: ReadonlySet<PackageName>,
  choice: E2eChoice,
): Promise<E2eRequest> {
  const graph = buildGraph(checkout.workspace);
  const nearest = nearestServiceDeps(graph);
  const names = inDependencyOrder(
    graph,
    [...services].filter((name) => graph.packages.has(name)),
  );
  const script = checkout.config.e2eScript;
  const root = checkout.repo.root;
  const index = new InputIndex(checkout.workspace, checkout.config.planner);
  const targets = await Promise.all(
    names.map(async (name) => {
      const dir = join(root, graph.packages.get(name)?.dir ?? '');
      const text = await scriptOf(dir, script);
      return {
        name,
        dir,
        dependsOn: nearest.get(name) ?? [],
        hasScript: text !== null,
        ...(text === null ? {} : { inputs: e2eInputs(graph, index, checkout.files, name, text) }),
      };
    }),
  );
  return {
    targets,
    setting: { commit: checkout.head, script, manager: await packageManager(root) },
    ...choice,
  };
}

/** A plan that deploys nothing: what `shipgraph e2e` runs, the e2e runs of its services alone. */
export const testOnlyPlan = (stage: string, checkout: Checkout, request: E2eRequest): Plan => ({
  version: 1,
  stage,
  head: checkout.head,
  skipped: null,
  services: request.targets.map((target) => ({
    name: target.name,
    path: relative(checkout.repo.root, target.dir),
    deploy: false,
    batch: null,
    base: null,
    dependsOn: [...target.dependsOn],
    fingerprint: null,
    reasons: [],
  })),
  batches: [],
  orphans: [],
});

/**
 * Services whose deployed code has no passing e2e run: it failed, or never ran (deployed with
 * --skip-e2e, or interrupted). The next run that runs e2e tests them even if nothing changed.
 */
export const notProvenYet = (records: Record<PackageName, { e2e?: { status: string } }>): PackageName[] =>
  Object.entries(records)
    .filter(([, record]) => record.e2e?.status === 'failed' || record.e2e?.status === 'untested')
    .map(([name]) => name);

/** CI reports usually go to a directory that does not exist yet (reports/e2e.xml in buildspec.yml). */
export async function writeJUnit(
  cwd: string,
  given: string | undefined,
  results: readonly E2eResult[],
  stage: string,
): Promise<void> {
  if (given === undefined) return;
  const file = resolve(cwd, given);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, junitXml(results, stage));
  } catch (error) {
    throw new CliError('E_REPORT', `cannot write the JUnit report ${file}: ${(error as Error).message}`, {
      hint: 'pass --junit a path in a writable directory',
      cause: error,
    });
  }
}
