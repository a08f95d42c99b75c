// Moving services back to what they served before their last deploy, through their deployers' rollback.
import type { Graph, PackageName } from '@shipgraph/core';
import type { Deployer } from '../deployers/contract.js';
import { deployerFor } from '../deployers/registry.js';
import { CliError } from '../errors.js';
import { serviceSettings, type ServiceSettings } from '../planning/service-settings.js';
import type { RunContext } from '../run/context.js';
import type { StageLock } from '../run/stage-lock.js';
import { stepRuntime } from '../run/step-runtime.js';
import { deployerContext } from '../steps/context.js';
import { OutputCache } from '../steps/outputs.js';
import { runStep, StepFailed } from '../steps/runner.js';

export interface RollbackResult {
  service: PackageName;
  region: string;
  /** What moved, one line each (`orders-api:prod version 4 → 3`). */
  moved: string[];
}

export async function rollBack(
  context: RunContext,
  lock: StageLock,
  graph: Graph,
  services: readonly PackageName[],
): Promise<RollbackResult[]> {
  const { checkout, stage } = context;
  const settings = await serviceSettings(checkout, stage.name);
  // Every service is checked before any moves: a mistyped selection rolls nothing back.
  const root = checkout.repo.root;
  const chosen: { name: PackageName; setting: ServiceSettings; deployer: Deployer }[] = [];
  for (const name of services) {
    const setting = settings.get(name);
    if (setting === undefined) continue;
    const deployer = await deployerFor(setting.deployer);
    if (deployer.rollback === undefined) {
      throw new CliError('E_USAGE', `${name} deploys with ${setting.deployer.type}, which has no rollback`, {
        hint: 'rollback moves aliases (the lambda deployer, or serverless with alias or rollout); redeploy an earlier commit for other services',
      });
    }
    chosen.push({ name, setting, deployer });
  }
  const outputs = new OutputCache(settings, context.access);
  const runtime = stepRuntime(context, lock);
  const results: RollbackResult[] = [];
  for (const { name, setting, deployer } of chosen) {
    for (const region of stage.regions) {
      const place = {
        root,
        stage: stage.name,
        region,
        service: name,
        commit: checkout.head,
        access: context.access,
      };
      try {
        const { result: moved } = await runStep(runtime, {
          ref: { service: name, region, kind: 'rollback' },
          logName: `${name}.${region}.rollback`,
          ended: () => 'rolled back',
          work: async (tools) =>
            (await deployer.rollback?.(
              await deployerContext(place, 'rollback', setting, tools, {
                // Function names may come from the outputs of the services it depends on.
                dependencyOutputs: await outputs.collect(graph.deps.get(name) ?? [], region),
              }),
            )) ?? [],
        });
        results.push({ service: name, region, moved });
      } catch (error) {
        // The deployer's own error (E_ROLLBACK: nothing to go back to) is the run's: it says why and exits.
        throw error instanceof StepFailed ? error.cause : error;
      }
    }
  }
  return results;
}
