// Runs the e2e stage for chosen services and remembers each outcome in the state, so a failure is tested again.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildGraph, inDependencyOrder, nearestServiceDeps, type PackageName } from '@shipgraph/core';
import type { OutputCache } from '../steps/outputs.js';
import { CliError } from '../errors.js';
import type { RunContext } from '../run/context.js';
import type { StageLock } from '../run/stage-lock.js';
import { junitXml } from './junit.js';
import { runE2e, type E2eResult } from './run-e2e.js';

export interface E2eRequest {
  services: ReadonlySet<PackageName>;
  /** The stacks' outputs, read once per run. */
  outputs: OutputCache;
  /** Where to write the JUnit report, if anywhere. */
  junit: string | undefined;
}

/** Runs the chosen services' e2e tests in the context's stage, under the caller's lock. */
export async function runE2eStage(
  context: RunContext,
  lock: StageLock,
  request: E2eRequest,
): Promise<E2eResult[]> {
  const { checkout, store, io, log } = context;
  const stage = context.stage.name;
  const graph = buildGraph(checkout.workspace);
  const nearest = nearestServiceDeps(graph);
  const targets = inDependencyOrder(
    graph,
    [...request.services].filter((name) => graph.packages.has(name)),
  ).map((name) => ({
    name,
    dir: join(checkout.repo.root, graph.packages.get(name)?.dir ?? ''),
    dependsOn: nearest.get(name) ?? [],
  }));
  if (targets.length === 0) return [];
  log(`e2e: ${targets.map((target) => target.name).join(', ')}`);
  const recorded = (await store.read(stage)).services;
  const results = await runE2e({
    targets,
    regions: context.stage.regions,
    script: checkout.config.e2eScript,
    root: checkout.repo.root,
    stage,
    commit: checkout.head,
    outputs: request.outputs,
    signal: lock.signal,
    children: lock.children,
    report: (event) => {
      context.reporter.report(event);
    },
    now: io.now,
    onServiceDone: async (service, outcome) => {
      const record = recorded[service];
      if (record === undefined) return;
      // A service without e2e tests has nothing to prove; an interrupted run proved nothing yet.
      if (outcome === 'none') {
        const { e2e: _dropped, ...rest } = record;
        if (_dropped !== undefined) await store.record(stage, service, rest);
        return;
      }
      const e2e = { status: outcome, commit: checkout.head, at: io.now().toISOString() };
      await store.record(stage, service, { ...record, e2e });
    },
  });
  if (request.junit !== undefined)
    await writeReport(resolve(io.cwd, request.junit), junitXml(results, stage));
  return results;
}

/**
 * Services whose deployed code has no passing e2e run: it failed, or never ran (deployed with
 * --skip-e2e, or interrupted). The next run that runs e2e tests them even if nothing changed.
 */
export const notProvenYet = (records: Record<PackageName, { e2e?: { status: string } }>): PackageName[] =>
  Object.entries(records)
    .filter(([, record]) => record.e2e?.status === 'failed' || record.e2e?.status === 'untested')
    .map(([name]) => name);

/** CI reports usually go to a directory that does not exist yet (reports/e2e.xml in buildspec.yml). */
async function writeReport(file: string, xml: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, xml);
  } catch (error) {
    throw new CliError('E_REPORT', `cannot write the JUnit report ${file}: ${(error as Error).message}`, {
      hint: 'pass --junit a path in a writable directory',
      cause: error,
    });
  }
}
