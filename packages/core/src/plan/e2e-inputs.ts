// What a service's e2e tests are made of, as one hash: when it and the cloud they test are both as they
// were when the tests last passed, running them again proves nothing new.
import { createHash } from 'node:crypto';
import type { InputIndex } from '../changes/inputs.js';
import type { Graph } from '../graph/graph.js';
import { join } from '../references/resolve.js';
import type { PackageName, RepoPath } from '../types.js';
import type { HeadFile } from './fingerprint.js';

/**
 * The tests' own files: those of the service's folder that are not its deploy's inputs (tests, `e2e/`),
 * its package.json (the script, the test runner's version), the files and folders its e2e script
 * names by a relative path (`--config ../../vitest.e2e.config.mjs`), and every file of the workspace
 * packages it needs for development only (test helpers; what it ships is its deploy's business).
 */
export function e2eInputs(
  graph: Graph,
  index: InputIndex,
  headFiles: readonly HeadFile[],
  service: PackageName,
  /** The e2e script as package.json has it. */
  script: string,
): string {
  const pkg = graph.packages.get(service);
  if (pkg === undefined) return '';
  const dir = pkg.dir;
  const manifest = `${dir}/package.json`;
  const named = scriptPaths(script, dir);
  const helpers = pkg.dependsOn
    .filter((edge) => edge.dev === true)
    .map((edge) => `${graph.packages.get(edge.name)?.dir ?? edge.name}/`);
  const counts = (path: RepoPath): boolean =>
    (path.startsWith(`${dir}/`) &&
      (path === manifest || !index.isOwnInput(service, path.slice(dir.length + 1)))) ||
    named.some((name) => path === name || path.startsWith(`${name}/`)) ||
    helpers.some((helperDir) => path.startsWith(helperDir));
  const hash = createHash('sha256').update(`${script}\n`);
  for (const file of headFiles) if (counts(file.path)) hash.update(`${file.path}\0${file.oid}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** The repository paths a script names relatively from the service's folder (`../../x.mjs`, `./e2e`). */
export function scriptPaths(script: string, dir: RepoPath): RepoPath[] {
  const paths: RepoPath[] = [];
  for (const match of script.matchAll(/(?:^|[\s='"])(\.{1,2}\/[^\s'"]*)/g)) {
    // Out of the repository, or the root itself: nothing of the tests' own.
    const path = join(dir, match[1] ?? '');
    if (path !== null && path !== '') paths.push(path);
  }
  return paths;
}
