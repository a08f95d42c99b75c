// Temporary: where execute.ts and run-dag.ts still import from, until they are pointed at the new homes.
export { NotStarted, startUnlessInterrupted } from '../run/interrupts.js';
export {
  DeployFailure,
  looksTransient,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
} from '../deployers/contract.js';
export { deployerFor } from '../deployers/registry.js';
