// What packages' files refer to outside their folder (serverless `${file()}`, relative imports): found in the commit's text.
import {
  ExternalInputMatcher,
  InputIndex,
  inputsFor,
  globBase,
  referencesInLine,
  referringKind,
  resolveReference,
  withReferences,
  type FoundReference,
  type HeadFile,
  type PackageName,
  type PlannerConfig,
  type RepoPath,
  type Workspace,
} from '@shipgraph/core';
import type { GitRepo } from '../git/repo.js';

// JS/TS sources and serverless configs; other files are followed only when a reference reaches them.
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
  ':(exclude)*node_modules/*',
];

/** The lines of the commit's files that climb out of their folder (`../`), by path: one git process. */
export const outwardLines = (repo: GitRepo, head: string): Promise<Map<RepoPath, string[]>> =>
  repo.grep(head, '../', PATHSPECS);

interface Target {
  path: RepoPath;
  form: 'module' | 'file' | 'glob';
  written: string;
}

/**
 * The workspace with what each package's own input files refer to outside its folder: another
 * package (an edge), or files outside every package (inputs, followed through the references they
 * make in turn). Text only: nothing of the user's is run.
 */
export async function withFileReferences(
  workspace: Workspace,
  planner: PlannerConfig,
  files: readonly HeadFile[],
  outward: ReadonlyMap<RepoPath, string[]>,
  readTexts: (paths: readonly RepoPath[]) => Promise<Map<RepoPath, string | null>>,
): Promise<Workspace> {
  if (outward.size === 0) return workspace;
  const index = new InputIndex(workspace, planner);
  const dirOf = new Map(workspace.packages.map((pkg) => [pkg.name, pkg.dir]));
  // The package a path (a file or a folder) is in, if any.
  const ownerOf = (path: RepoPath): PackageName | undefined => index.ownerOf(`${path}/`);

  const found: FoundReference[] = [];
  const reached = new Map<PackageName, { targets: Target[]; via: string }[]>();
  for (const [path, lines] of outward) {
    const owner = index.ownerOf(path);
    const kind = referringKind(path);
    if (owner === undefined || kind === null) continue;
    const relative = path.slice((dirOf.get(owner) ?? '').length + 1);
    if (!index.isOwnInput(owner, relative)) continue;
    for (const line of lines) {
      for (const written of referencesInLine(line, kind, true)) {
        const resolved = resolveReference(path, written);
        if (resolved === null) continue;
        const target = { ...resolved, written: written.written };
        const into = ownerOf(target.form === 'glob' ? globBase(target.path) : target.path);
        if (into === owner) continue;
        const via = `${relative} ${written.written}`;
        if (into !== undefined && target.form !== 'glob') {
          found.push({ from: owner, to: into, via });
          continue;
        }
        for (const input of inputsFor(target, via)) found.push({ from: owner, input });
        const list = reached.get(owner) ?? [];
        list.push({ targets: [target], via });
        reached.set(owner, list);
      }
    }
  }
  if (reached.size > 0) found.push(...(await followOutside(reached, files, ownerOf, readTexts)));
  return withReferences(workspace, found);
}

/**
 * Follows references from files outside every package (a root `serverless.base.ts`, a shared
 * `common/env.yml`) to the files they refer to in turn, each charged to the package that reached
 * it, with that package's reference as `via`.
 */
async function followOutside(
  reached: Map<PackageName, { targets: Target[]; via: string }[]>,
  files: readonly HeadFile[],
  ownerOf: (path: RepoPath) => PackageName | undefined,
  readTexts: (paths: readonly RepoPath[]) => Promise<Map<RepoPath, string | null>>,
): Promise<FoundReference[]> {
  const outside = files.map((file) => file.path).filter((path) => ownerOf(path) === undefined);
  const targetsIn = new Map<RepoPath, Target[]>();
  const found: FoundReference[] = [];
  // Breadth first: each round reads the files the last round reached, in one git process.
  let frontier = [...reached].flatMap(([name, list]) =>
    list.map(({ targets, via }) => ({ name, targets, via, seen: new Set<RepoPath>() })),
  );
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    const wanted = new Set<RepoPath>();
    const steps = frontier.map((item) => {
      const covered = coverage(item.targets);
      const matched = outside.filter(
        (path) => !item.seen.has(path) && referringKind(path, true) !== null && covered(path),
      );
      for (const path of matched) if (!targetsIn.has(path)) wanted.add(path);
      return { item, matched };
    });
    const texts = await readTexts([...wanted]);
    for (const path of wanted) targetsIn.set(path, referencesOf(path, texts.get(path) ?? ''));
    for (const { item, matched } of steps) {
      for (const path of matched) {
        item.seen.add(path);
        const targets: Target[] = [];
        for (const target of targetsIn.get(path) ?? []) {
          const into = ownerOf(target.form === 'glob' ? globBase(target.path) : target.path);
          if (into === item.name) continue;
          if (into !== undefined && target.form !== 'glob') {
            found.push({ from: item.name, to: into, via: item.via });
            continue;
          }
          for (const input of inputsFor(target, item.via)) found.push({ from: item.name, input });
          targets.push(target);
        }
        if (targets.length > 0) next.push({ name: item.name, targets, via: item.via, seen: item.seen });
      }
    }
    frontier = next;
  }
  return found;
}

/** Every reference a file outside the packages makes, `./` included. */
function referencesOf(path: RepoPath, text: string): Target[] {
  const kind = referringKind(path, true);
  if (kind === null) return [];
  const targets: Target[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('./')) continue;
    for (const written of referencesInLine(line, kind, false)) {
      const resolved = resolveReference(path, written);
      if (resolved !== null) targets.push({ ...resolved, written: written.written });
    }
  }
  return targets;
}

/** Whether any of the targets takes in a path, as the planner matches external inputs. */
function coverage(targets: readonly Target[]): (path: RepoPath) => boolean {
  const matcher = new ExternalInputMatcher<true>();
  for (const target of targets) for (const input of inputsFor(target, '')) matcher.add(input, true);
  return (path) => matcher.match(path).length > 0;
}
