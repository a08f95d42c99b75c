// Moving services back to what they served before their last deploy, through their deployers' rollback.
import { join } from 'node:path';
import type { Graph, PackageName } from '@shipgraph/core';
import { deployerFor } from '../deployers/registry.js';
import { unresolvedDependencies, type Deployer } from '../deployers/contract.js';
import { CliError } from '../errors.js';
import { serviceSettings } from '../planning/service-settings.js';
import type { RunContext } from '../run/context.js';
import type { StageLock } from '../run/stage-lock.js';
import { OutputCache } from '../steps/outputs.js';

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
  const { checkout, stage, log } = context;
  const settings = await serviceSettings(checkout, stage.name);
  // Every service is checked before any moves: a mistyped selection rolls nothing back.
  const chosen: {
    name: PackageName;
    dir: string;
    deployer: Deployer;
    stackName: (region: string) => string | null;
  }[] = [];
  for (const name of services) {
    const setting = settings.get(name);
    if (setting === undefined) continue;
    const deployer = await deployerFor(setting.deployer);
    if (deployer.rollback === undefined) {
      throw new CliError('E_USAGE', `${name} deploys with ${setting.deployer.type}, which has no rollback`, {
        hint: 'rollback moves aliases (the lambda deployer, or serverless with alias or rollout); redeploy an earlier commit for other services',
      });
    }
    chosen.push({ name, dir: setting.dir, deployer, stackName: setting.stackName });
  }
  const outputs = new OutputCache(settings);
  const results: RollbackResult[] = [];
  for (const { name, dir, deployer, stackName } of chosen) {
    for (const region of stage.regions) {
      const moved =
        (await deployer.rollback?.({
          service: name,
          dir: join(checkout.repo.root, dir),
          root: checkout.repo.root,
          stage: stage.name,
          region,
          commit: checkout.head,
          stackName: stackName(region),
          env: {
            SHIPGRAPH_STAGE: stage.name,
            SHIPGRAPH_REGION: region,
            SHIPGRAPH_SERVICE: name,
            AWS_REGION: region,
          },
          // Function names may come from the outputs of the services it depends on.
          dependencyOutputs: await outputs.collect(graph.deps.get(name) ?? [], region),
          resolvedDependencies: unresolvedDependencies('a rollback builds nothing'),
          log: (line) => {
            log(`[${name}/${region}] ${line}`);
          },
          track: (kill) => {
            lock.children.add(kill);
            return () => lock.children.delete(kill);
          },
          signal: lock.signal,
        })) ?? [];
      results.push({ service: name, region, moved });
    }
  }
  return results;
}
