// What one deploy of a service in a region runs: its deployer, with the outputs of what it depends on.
import type { CommitSha, PackageName, PlannedService } from '@shipgraph/core';
import type { StageAccess } from '../aws/access.js';
import type { Keeping } from '../artifacts/keeping.js';
import type { KeptOutcome } from '../artifacts/kept-deploy.js';
import { DeployFailure, type ResolvedDependencies } from '../deployers/contract.js';
import { deployerFor } from '../deployers/registry.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import { deployerContext } from '../steps/context.js';
import type { OutputCache } from '../steps/outputs.js';
import type { Step } from '../steps/runner.js';

/** What every deploy of a run shares. */
export interface DeploySetting {
  root: string;
  stage: string;
  head: CommitSha;
  access: StageAccess;
  settings: ReadonlyMap<PackageName, ServiceSettings>;
  outputs: OutputCache;
  keeping: Keeping;
  retries: number;
  retryDelayMs: number;
  resolvedDependencies: (service: PackageName) => Promise<ResolvedDependencies>;
}

export function deployStep(
  run: DeploySetting,
  service: PlannedService,
  region: string,
  /** Why it deploys when that was decided in the run (the outputs it reads changed): its log says so. */
  why?: string,
): Step<KeptOutcome> {
  const setting = run.settings.get(service.name);
  if (setting === undefined) throw new Error(`no settings for ${service.name}`);
  const commit = run.keeping.commitOf(service.name, run.head);
  return {
    ref: { service: service.name, region, kind: 'deploy' },
    logName: `${service.name}.${region}`,
    retries: {
      count: run.retries,
      delayMs: run.retryDelayMs,
      transient: (error) => error instanceof DeployFailure && error.transient,
    },
    ended: (result) => (result.changed === false ? 'unchanged' : 'deployed'),
    work: async (tools) => {
      if (why !== undefined) tools.log(why);
      const place = { ...run, region, service: service.name, commit };
      const context = await deployerContext(place, 'deploy', setting, tools, {
        dependencyOutputs: await run.outputs.collect(service.dependsOn, region),
        resolvedDependencies: () => run.resolvedDependencies(service.name),
      });
      const result = await run.keeping.deploy(await deployerFor(setting.deployer), context, service);
      run.outputs.set(service.name, region, result.outputs);
      if (result.changed === false)
        tools.log('nothing changed: the deploy found everything already as it is');
      return result;
    },
  };
}
