// Public API of @shipgraph/core.
export * from './errors.js';
export * from './types.js';
export { buildGraph, inDependencyOrder, nearestServiceDeps, reachable, type Graph } from './graph/graph.js';
export {
  InputIndex,
  DEFAULT_EXCLUDES,
  DEFAULT_GLOBAL_FILES,
  defaultPlannerConfig,
} from './changes/inputs.js';
export { LOCKFILES } from './lockfile/files.js';
export { TOOLING_FILES, rootTooling, toolingChanges, toolingSignature } from './changes/tooling.js';
export { ReferenceCollector } from './references/collect.js';
export type { ReferenceForm, ReferringKind, WrittenReference } from './references/written.js';
export { reaches, withReferences, type FoundReference } from './graph/references.js';
// The lockfile readers are the subpath export @shipgraph/core/lockfile.
export { Fingerprints, fingerprintsOf, type HeadFile } from './plan/fingerprint.js';
export { e2eInputs, scriptPaths } from './plan/e2e-inputs.js';
export { plan, basesToCompare, servicesOf, type PlanInput, type PlanOptions } from './plan/plan.js';
export { parseSelector, selectServices, servicesSelectedBy, type Selector } from './plan/select.js';
export {
  planPromotion,
  promotionPlan,
  type Promotion,
  type PromotionEntry,
  type PromotionInput,
  type Refusal,
} from './promote/promotion.js';
export {
  deployTasks,
  deployingDependencies,
  e2eTaskId,
  runTasks,
  taskId,
  type DeployTask,
  type RunShape,
  type RunTask,
} from './schedule/tasks.js';
export {
  expectedDurations,
  inCriticalPathOrder,
  remainingPaths,
  type WaitingTask,
} from './schedule/critical-path.js';
export {
  criticalChain,
  criticalSteps,
  SLOT_WAIT_MS,
  type ChainStep,
  type TimedTask,
} from './schedule/critical-chain.js';
