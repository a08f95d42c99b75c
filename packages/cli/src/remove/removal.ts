// Removing services from a stage: dependents first, orphans by their recorded stacks, each forgotten once gone.
import { join } from 'node:path';
import {
  buildGraph,
  inDependencyOrder,
  servicesOf,
  type Graph,
  type PackageName,
  type StageState,
} from '@shipgraph/core';
import { deleteStack } from '../aws/cloudformation.js';
import { unresolvedDependencies } from '../deployers/contract.js';
import { deployerFor } from '../deployers/registry.js';
import { CliError } from '../errors.js';
import type { Checkout } from '../planning/checkout.js';
import { serviceSettings } from '../planning/service-settings.js';
import type { RunContext } from '../run/context.js';
import { NotStarted, startUnlessInterrupted } from '../run/interrupts.js';
import type { StageLock } from '../run/stage-lock.js';
import { openStepLog } from '../steps/step-log.js';

/** What a removal takes away: services dependents first, and recorded services no longer in the workspace. */
export interface Removal {
  targets: PackageName[];
  orphans: PackageName[];
  graph: Graph;
}

export function removalOf(
  checkout: Checkout,
  state: StageState,
  scope: { only: ReadonlySet<PackageName> | null; orphans: boolean },
): Removal {
  const graph = buildGraph(checkout.workspace);
  return {
    graph,
    // Dependents first: a service goes before anything it depends on.
    targets: inDependencyOrder(
      graph,
      servicesOf(checkout.workspace)
        .map((service) => service.name)
        .filter((name) => name in state.services && (scope.only === null || scope.only.has(name))),
      true,
    ),
    orphans: scope.orphans
      ? Object.keys(state.services)
          .filter((name) => !graph.packages.has(name))
          .sort()
      : [],
  };
}

export interface RemovalResult {
  service: PackageName;
  status: 'removed' | 'failed' | 'kept';
  detail?: string;
}

export const describeRemoval = (result: RemovalResult): string =>
  `${result.service}  ${result.status}${result.detail === undefined ? '' : `  ${result.detail}`}`;

/** Removes what `removalOf` chose, under the caller's stage lock, forgetting each service once it is gone. */
export async function removeServices(
  context: RunContext,
  /** Its signal stops what has not started; running removals get it and finish. */
  lock: StageLock,
  state: StageState,
  removal: Removal,
): Promise<RemovalResult[]> {
  const { checkout, stage, store, reporter } = context;
  const { signal, children } = lock;
  const settings = await serviceSettings(checkout, stage.name);
  const failed = new Set<PackageName>();
  const results: RemovalResult[] = [];
  const remove = async (name: PackageName, work: (line: (text: string) => void) => Promise<void>) => {
    const step = { service: name, region: null, kind: 'destroy' } as const;
    if (signal.aborted) {
      failed.add(name);
      const why = new NotStarted(signal).message;
      reporter.report({ type: 'blocked', step, why });
      results.push({ service: name, status: 'kept', detail: why });
      return;
    }
    const clock = (): number => context.io.now().getTime();
    const started = clock();
    reporter.report({ type: 'started', step });
    const stepLog = await openStepLog(checkout.repo.root, stage.name, `${name}.destroy`, (line) => {
      reporter.report({ type: 'output', step, line });
    });
    try {
      await work(stepLog.line);
      await store.forget(stage.name, name);
      results.push({ service: name, status: 'removed' });
      reporter.report({ type: 'finished', step, status: 'removed', durationMs: clock() - started });
    } catch (error) {
      failed.add(name);
      if (error instanceof NotStarted) {
        reporter.report({ type: 'blocked', step, why: error.message });
        results.push({ service: name, status: 'kept', detail: error.message });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      // Taken before the line below: the tool's own last lines say why.
      const lastLines = stepLog.lastLines();
      stepLog.line(`failed: ${message}`);
      reporter.report({
        type: 'finished',
        step,
        status: 'failed',
        durationMs: clock() - started,
        reason: message,
        lastLines,
        log: stepLog.path,
      });
      results.push({ service: name, status: 'failed', detail: message });
    } finally {
      await stepLog.close();
    }
  };

  for (const name of removal.orphans) {
    const stacks = state.services[name]?.stacks;
    await remove(name, async (line) => {
      if (stacks === undefined) {
        throw new CliError(
          'E_DEPLOYER',
          `no stack is recorded for orphan ${name}; remove it by hand, then its record`,
        );
      }
      for (const [region, stackName] of Object.entries(stacks)) {
        startUnlessInterrupted(signal);
        await deleteStack(region, stackName, line);
      }
    });
  }
  for (const name of removal.targets) {
    // A service something still needs (its dependent failed to go) stays.
    const neededBy = [...failed].find((other) => (removal.graph.deps.get(other) ?? []).includes(name));
    if (neededBy !== undefined) {
      failed.add(name);
      const why = `${neededBy} could not be removed and depends on it`;
      reporter.report({ type: 'blocked', step: { service: name, region: null, kind: 'destroy' }, why });
      results.push({ service: name, status: 'kept', detail: why });
      continue;
    }
    const setting = settings.get(name);
    if (setting === undefined) continue;
    await remove(name, async (line) => {
      const deployer = await deployerFor(setting.deployer);
      for (const region of stage.regions) {
        await deployer.remove({
          service: name,
          dir: join(checkout.repo.root, setting.dir),
          root: checkout.repo.root,
          stage: stage.name,
          region,
          commit: checkout.head,
          stackName: setting.stackName(region),
          env: {
            SHIPGRAPH_STAGE: stage.name,
            SHIPGRAPH_REGION: region,
            SHIPGRAPH_SERVICE: name,
            AWS_REGION: region,
          },
          dependencyOutputs: {},
          resolvedDependencies: unresolvedDependencies('a removal builds nothing'),
          log: line,
          track: (kill) => {
            children.add(kill);
            return () => children.delete(kill);
          },
          signal,
        });
      }
    });
  }
  return results;
}
