// The lockfiles shipgraph looks for at the repository root.
import type { RepoPath } from '../types.js';

/**
 * npm (and its shrinkwrap), pnpm, yarn 1 and berry, and bun's text lockfile. bun.lockb is binary:
 * a change to it is seen, and reaches every service, since shipgraph cannot read which packages moved.
 */
export const LOCKFILES: readonly RepoPath[] = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
];
