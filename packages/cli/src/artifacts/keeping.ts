// How a run's deploys treat packages: deployed from source (nothing kept), kept in the stage's
// artifact store, or (promote) another stage's proven package. executePlan asks this for each deploy.
import type { CommitSha, PackageName, PlannedService, ServiceRecord } from '@shipgraph/core';
import type { DeployContext, Deployer } from '../deployers/contract.js';
import { deployKept, type KeptOutcome } from './kept-deploy.js';
import type { ArtifactStore } from './store.js';

export interface Keeping {
  /** The commit a service is deployed at (the plan's head, or the one a promotion proved). */
  commitOf(service: PackageName, head: CommitSha): CommitSha;
  /** Deploys one region of a service. */
  deploy(deployer: Deployer, context: DeployContext, service: PlannedService): Promise<KeptOutcome>;
  /** What the service's record says about its package, once every region is deployed. */
  recorded(
    service: PackageName,
    commit: CommitSha,
    codes: readonly (string | null)[],
  ): Promise<Partial<ServiceRecord>>;
}

/** Nothing kept: each deployer deploys from the checkout. */
export const fromSource: Keeping = {
  commitOf: (_service, head) => head,
  deploy: async (deployer, context) => ({ ...(await deployer.deploy(context)), code: null }),
  recorded: () => Promise.resolve({}),
};

/** Every package kept in the stage's store, recorded, and pointed at as the stage's latest. */
export function keptIn(store: ArtifactStore): Keeping {
  return {
    commitOf: (_service, head) => head,
    deploy: (deployer, context, service) => deployKept(deployer, context, store, service.fingerprint),
    recorded: async (service, commit, codes) => {
      const kept = codes.filter((code): code is string => code !== null);
      if (kept.length === 0 || kept.length < codes.length) return {};
      const artifact = store.refOf(service, commit, kept);
      await store.pointLatest(service, commit, artifact);
      return { artifact };
    },
  };
}
