// @shipgraph/core/lockfile: lockfile readers, loaded apart from the planner because their parsers are heavy.
export { lockfileImpact, lockfileReader, readLockfile, type LockfileReader } from './impact.js';
export {
  UnreadableLockfile,
  type ClosureScope,
  type LockfileModel,
  type ManifestDependencies,
  type PackageManifests,
} from './model.js';
