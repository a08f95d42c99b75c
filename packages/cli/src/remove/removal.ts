// Removing services from a stage: dependents first, orphans by their recorded stacks, each forgotten once gone.
import {
  buildGraph,
  inDependencyOrder,
  servicesOf,
  type Graph,
  type PackageName,
  type StageState,
} from '@shipgraph/core';
import { deleteStack } from '../aws/cloudformation.js';
import { deployerFor } from '../deployers/registry.js';
import { CliError } from '../errors.js';
import type { Checkout } from '../planning/checkout.js';
import { serviceSettings } from '../planning/service-settings.js';
import type { RunContext } from '../run/context.js';
import { startUnlessInterrupted } from '../process/interrupts.js';
import type { StageLock } from '../run/stage-lock.js';
import { stepRuntime } from '../run/step-runtime.js';
import { deployerContext } from '../steps/context.js';
import { runStep, StepFailed, StepInterrupted, type StepTools } from '../steps/runner.js';

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
  const { checkout, stage, store, reporter, access } = context;
  const root = checkout.repo.root;
  const settings = await serviceSettings(checkout, stage.name);
  const runtime = stepRuntime(context, lock);
  const failed = new Set<PackageName>();
  const results: RemovalResult[] = [];
  const remove = async (name: PackageName, work: (tools: StepTools) => Promise<void>): Promise<void> => {
    try {
      await runStep(runtime, {
        ref: { service: name, region: null, kind: 'destroy' },
        logName: `${name}.destroy`,
        ended: () => 'removed',
        work: async (tools) => {
          await work(tools);
          await store.forget(stage.name, name);
        },
      });
      results.push({ service: name, status: 'removed' });
    } catch (error) {
      failed.add(name);
      if (error instanceof StepInterrupted)
        results.push({ service: name, status: 'kept', detail: error.message });
      else if (error instanceof StepFailed)
        results.push({ service: name, status: 'failed', detail: error.reason });
      else throw error;
    }
  };

  for (const name of removal.orphans) {
    const stacks = state.services[name]?.stacks;
    await remove(name, async (tools) => {
      if (stacks === undefined) {
        throw new CliError(
          'E_DEPLOYER',
          `no stack is recorded for orphan ${name}; remove it by hand, then its record`,
        );
      }
      for (const [region, stackName] of Object.entries(stacks)) {
        startUnlessInterrupted(tools.signal);
        await deleteStack(access, region, stackName, tools.log);
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
    await remove(name, async (tools) => {
      const deployer = await deployerFor(setting.deployer);
      for (const region of stage.regions) {
        const place = { root, stage: stage.name, region, service: name, commit: checkout.head, access };
        await deployer.remove(await deployerContext(place, 'remove', setting, tools));
      }
    });
  }
  return results;
}
