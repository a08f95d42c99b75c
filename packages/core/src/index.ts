// Public API of @shipgraph/core.
export * from './errors.js';
export * from './types.js';
export { buildGraph, inDependencyOrder, nearestServiceDeps, type Graph } from './graph/graph.js';
export {
  InputIndex,
  DEFAULT_EXCLUDES,
  DEFAULT_GLOBAL_FILES,
  defaultPlannerConfig,
} from './changes/inputs.js';
export { lockfileImpact, readLockfile, LOCKFILES } from './lockfile/impact.js';
export { UnreadableLockfile, type LockfileModel } from './lockfile/model.js';
export { Fingerprints, fingerprintsOf, type HeadFile } from './plan/fingerprint.js';
export { plan, basesToCompare, servicesOf, type PlanInput, type PlanOptions } from './plan/plan.js';
export { resolveServiceName, selectServices } from './plan/select.js';
export { deployTasks, deployingDependencies, taskId, type DeployTask } from './schedule/tasks.js';
