// What packages' files refer to outside their folder (serverless `${file()}`, relative imports, tsconfig `extends`): found in the commit's text.
import {
  ReferenceCollector,
  withReferences,
  type HeadFile,
  type PlannerConfig,
  type RepoPath,
  type Workspace,
} from '@shipgraph/core';
import type { GitRepo } from '../git/repo.js';
import { OUTPUT_PATTERNS } from './output-reads.js';

// JS/TS sources, serverless configs, tsconfig/jsconfig and babel configs (`*config*.json` and
// `*.babelrc*`: two pathspecs cost git less than five; what they take in beyond those is left out
// by its name); other files are followed only when a reference reaches them.
const PATHSPECS = [
  '*.js',
  '*.mjs',
  '*.cjs',
  '*.jsx',
  '*.ts',
  '*.mts',
  '*.cts',
  '*.tsx',
  '*serverless.yml',
  '*serverless.yaml',
  '*serverless.json',
  '*config*.json',
  '*.babelrc*',
  ':(exclude)*node_modules/*',
];

/**
 * The lines of the commit's files that climb out of their folder (`../`) or extend a config (a
 * tsconfig's `"extends": "@acme/tsconfig"`), by path: one git process.
 */
export const outwardLines = (repo: GitRepo, head: string): Promise<Map<RepoPath, string[]>> =>
  repo.grep(head, [...REFERENCE_PATTERNS, ...OUTPUT_PATTERNS], PATHSPECS);

const REFERENCE_PATTERNS = ['../', '"extends"'];

/**
 * The workspace with what each package's own input files refer to outside its folder: another
 * package (an edge), files outside every package (inputs, followed through the references they
 * make in turn), the root lockfile. Text only: nothing of the user's is run.
 */
export async function withFileReferences(
  workspace: Workspace,
  planner: PlannerConfig,
  files: readonly HeadFile[],
  outward: ReadonlyMap<RepoPath, string[]>,
  readTexts: (paths: readonly RepoPath[]) => Promise<Map<RepoPath, string | null>>,
): Promise<Workspace> {
  if (outward.size === 0) return workspace;
  const collector = new ReferenceCollector(
    workspace,
    planner,
    files.map((file) => file.path),
  );
  // Sources are read by their lines that grep found; configs whole, since their keys say what a path means.
  const whole: RepoPath[] = [];
  for (const [path, found] of outward) {
    // The same grep found what services read of other stacks: those lines are output-reads.ts's.
    const lines = found.filter((line) => REFERENCE_PATTERNS.some((pattern) => line.includes(pattern)));
    if (lines.length === 0) continue;
    const reads = collector.readsOf(path);
    if (reads === 'lines') collector.addPackageFile(path, lines.join('\n'));
    else if (reads === 'whole') whole.push(path);
  }
  if (whole.length > 0) {
    const texts = await readTexts(whole);
    for (const path of whole) collector.addPackageFile(path, texts.get(path) ?? '');
  }
  // Breadth first: each round reads the files the last round reached, in one git process.
  for (let next = collector.toRead(); next.length > 0; next = collector.toRead())
    collector.addReached(await readTexts(next));
  return withReferences(workspace, collector.references());
}
