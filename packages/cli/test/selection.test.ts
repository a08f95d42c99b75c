// shipgraph's selection over generated histories (npm, yarn 1 and yarn berry): at every commit it
// plans, against its parent, at least the services that truly need a deploy (worked out here,
// independently of shipgraph, lockfile-only bumps included), never a service that nothing it
// depends on touched, and nothing at all for docs and tests. And over a pnpm 7 workspace written
// with the serverless patterns whose references mean something other than a path (a hoisted
// node_modules folder, the root lockfile, a script writing into another package) beside those that
// do reach an artifact (a `${file()}`, a shared handler, relative imports, a package.patterns glob, a
// webpack entry, a tsconfig extends chain): exactly the services the generator's model says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, DEFAULT_GLOBAL_FILES } from '@shipgraph/core';
import {
  TOOL,
  generateMonorepo,
  type GeneratedCommit,
  type GeneratedMonorepo,
} from '../../../tools/bench/generate.mjs';
import {
  COMMIT_KINDS,
  generatePatternsMonorepo,
  type PatternsMonorepo,
} from '../../../tools/bench/patterns.mjs';
import { TestRepo, deploying, type PlanJson } from './helpers/repo.js';

// What the truth below treats as not an input of a package: shipgraph's documented defaults.
const DOCS_AND_TESTS = ['**/*.md', '**/*.test.*', '**/*.spec.*', '**/__tests__/**', '**/e2e/**'];
const isDocOrTest = (relative: string): boolean =>
  /\.md$|\.test\.[^/]*$|\.spec\.[^/]*$|(?:^|\/)__tests__\/|(?:^|\/)e2e\//.test(relative);
const GLOBAL_FILES = ['tsconfig.base.json', '.nvmrc', '.node-version'];
const NPM_LOCKFILES = ['package-lock.json', 'pnpm-lock.yaml'];
// npm metadata that never reaches a deployed artifact. Any other change to the root package.json
// (workspaces, dependencies, overrides, engines, scripts, packageManager...) counts for every service.
const INERT_ROOT_FIELDS = new Set([
  'description',
  'keywords',
  'author',
  'license',
  'homepage',
  'repository',
  'bugs',
]);

interface Selection {
  commit: GeneratedCommit;
  changed: string[];
  /** Services that must deploy. */
  needed: string[];
  /** Services that may deploy: those whose own or dependencies' files changed in any way (docs and tests too). */
  allowed: string[];
  /** What shipgraph plans to deploy. */
  selected: string[];
  /** The whole plan. */
  plan: PlanJson;
}

type PackageManager = 'npm' | 'yarn1' | 'berry';

async function selectionsOver(generated: GeneratedMonorepo): Promise<Selection[]> {
  const repo = new TestRepo(generated.dir);
  const selections: Selection[] = [];
  for (const commit of generated.commits) {
    if (commit.parent === null) continue;
    const changed = repo
      .git('diff', '--name-only', '--no-renames', commit.parent, commit.sha)
      .split('\n')
      .filter((path) => path !== '');
    const plan = await repo.plan(['--base', commit.parent, '--head', commit.sha]);
    expect(plan.services).toHaveLength(40);
    const rootChanged =
      changed.includes('package.json') && rootManifestChanged(repo, commit.parent, commit.sha);
    const truth = { rootChanged, bumped: commit.bumped };
    selections.push({
      commit,
      changed,
      needed: servicesReaching(generated, changed, { ...truth, docsAndTests: false }),
      allowed: servicesReaching(generated, changed, { ...truth, docsAndTests: true }),
      selected: deploying(plan),
      plan,
    });
  }
  return selections;
}

/** Every external package `names` reach, themselves included. */
function externalClosure(monorepo: GeneratedMonorepo, names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...names];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(monorepo.externals[name] ?? []));
  }
  return seen;
}

/**
 * The services reached by the changed files: a service whose own directory, or the directory of a
 * package it depends on (transitively), holds a changed input, or whose resolved external packages
 * (its own or a dependency's) include one the lockfile bumped. A global file, an npm lockfile change
 * (the generator never changes one after the first commit), a bump of the root's tooling, or a root
 * package.json change beyond inert metadata (`rootChanged`) reaches every service.
 */
function servicesReaching(
  monorepo: GeneratedMonorepo,
  changed: readonly string[],
  { docsAndTests, rootChanged, bumped }: { docsAndTests: boolean; rootChanged: boolean; bumped: string[] },
): string[] {
  const services = monorepo.packages.filter((pkg) => pkg.kind === 'service').map((pkg) => pkg.name);
  const rootTooling = externalClosure(monorepo, [TOOL]);
  const everything =
    rootChanged ||
    bumped.some((name) => rootTooling.has(name)) ||
    changed.some((path) => GLOBAL_FILES.includes(path) || NPM_LOCKFILES.includes(path));
  if (everything) return services.sort();
  const touched = new Set<string>();
  for (const path of changed) {
    const owner = monorepo.packages
      .filter((pkg) => path.startsWith(`${pkg.dir}/`))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
    if (owner !== undefined && (docsAndTests || !isDocOrTest(path.slice(owner.dir.length + 1))))
      touched.add(owner.name);
  }
  for (const pkg of monorepo.packages) {
    const closure = externalClosure(monorepo, pkg.externals);
    if (bumped.some((name) => closure.has(name))) touched.add(pkg.name);
  }
  const depsOf = new Map(monorepo.packages.map((pkg) => [pkg.name, pkg.deps]));
  const reaches = (name: string, seen = new Set<string>()): boolean => {
    if (touched.has(name)) return true;
    seen.add(name);
    return (depsOf.get(name) ?? []).some((dep) => !seen.has(dep) && reaches(dep, seen));
  };
  return services.filter((name) => reaches(name)).sort();
}

/** Whether the root package.json changed in anything but inert metadata between two commits. */
function rootManifestChanged(repo: TestRepo, base: string, head: string): boolean {
  const read = (sha: string) =>
    JSON.parse(repo.git('show', `${sha}:package.json`)) as Record<string, unknown>;
  const before = read(base);
  const after = read(head);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].some(
    (key) => !INERT_ROOT_FIELDS.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

/** commit message → what `names` gives for it, for the commits where that is not empty. */
const byCommit = <S extends Selection>(
  selections: readonly S[],
  names: (selection: S) => string[],
): Record<string, string[]> =>
  Object.fromEntries(
    selections
      .map((selection) => [selection.commit.message, names(selection)] as const)
      .filter(([, list]) => list.length > 0),
  );
const without = (list: string[], other: string[]): string[] => list.filter((name) => !other.includes(name));

it('the truth follows shipgraph’s documented default input rules', () => {
  expect(DEFAULT_EXCLUDES).toEqual(DOCS_AND_TESTS);
  expect(DEFAULT_GLOBAL_FILES).toEqual(GLOBAL_FILES);
});

describe.each<PackageManager>(['npm', 'yarn1', 'berry'])(
  'selection over a generated %s history (40 services, 10 libraries, 25 commits)',
  (packageManager) => {
    let generated: GeneratedMonorepo;
    let selections: Selection[];

    beforeAll(async () => {
      const out = mkdtempSync(join(tmpdir(), 'shipgraph-selection-'));
      generated = generateMonorepo({ out, services: 40, libs: 10, commits: 25, seed: 1, packageManager });
      selections = await selectionsOver(generated);
    }, 300_000);

    afterAll(() => {
      rmSync(generated.dir, { recursive: true, force: true });
    });

    it('the history has every kind of commit', () => {
      const kinds = new Set(selections.map((selection) => selection.commit.kind));
      const expected =
        packageManager === 'npm'
          ? ['docs-tests', 'root', 'source']
          : ['docs-tests', 'lockfile', 'root', 'source'];
      expect([...kinds].sort()).toEqual(expected);
      expect(selections.some((selection) => selection.needed.length > 0)).toBe(true);
      if (packageManager === 'npm') {
        // The npm lockfile never changes after the first commit (the truth would then be "everything").
        expect(
          selections.flatMap((selection) => selection.changed).filter((path) => NPM_LOCKFILES.includes(path)),
        ).toEqual([]);
      } else {
        // Some lockfile-only bumps need some services deployed, and not all of them.
        const bumps = selections.filter((selection) => selection.commit.kind === 'lockfile');
        expect(bumps.some((selection) => selection.needed.length > 0 && selection.needed.length < 40)).toBe(
          true,
        );
      }
    });

    it('every commit deploys every service that needs a deploy', () => {
      expect(byCommit(selections, (selection) => without(selection.needed, selection.selected))).toEqual({});
    });

    it('no commit deploys a service that nothing it depends on touched', () => {
      expect(byCommit(selections, (selection) => without(selection.selected, selection.allowed))).toEqual({});
    });

    it('a commit of docs and tests only deploys nothing', () => {
      const docsAndTests = selections.filter((selection) =>
        selection.changed.every((path) => isDocOrTest(path)),
      );
      expect(docsAndTests.length).toBeGreaterThan(0);
      expect(
        byCommit(selections, (selection) => (docsAndTests.includes(selection) ? selection.selected : [])),
      ).toEqual({});
    });
  },
);

describe('selection over a generated history where some services only read others’ outputs (npm, 40 services)', () => {
  let generated: GeneratedMonorepo;
  let selections: (Selection & { unconditional: string[]; conditional: Record<string, string[]> })[];

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'shipgraph-selection-outputs-'));
    generated = generateMonorepo({ out, services: 40, libs: 10, commits: 25, seed: 3, deployTimeEdges: 0.6 });
    selections = (await selectionsOver(generated)).map((selection) => {
      const services = selection.plan.services.filter((service) => service.deploy);
      return {
        ...selection,
        unconditional: services
          .filter((one) => one.conditionalOn === undefined)
          .map((one) => one.name)
          .sort(),
        conditional: Object.fromEntries(
          services
            .filter((one) => one.conditionalOn !== undefined)
            .map((one) => [one.name, one.conditionalOn ?? []]),
        ),
      };
    });
  }, 300_000);

  afterAll(() => {
    rmSync(generated.dir, { recursive: true, force: true });
  });

  it('the history has services that read others’ outputs, and commits where those deploy', () => {
    const readers = generated.packages.filter((pkg) => pkg.deployTimeDeps.length > 0);
    expect(readers.length).toBeGreaterThan(2);
    expect(
      selections.filter((selection) => Object.keys(selection.conditional).length > 0).length,
    ).toBeGreaterThan(0);
  });

  it('never fewer: every service whose artifact changed deploys unconditionally', () => {
    // The truth reaches through what each service ships (package.json), not through outputs it reads.
    expect(byCommit(selections, (selection) => without(selection.needed, selection.unconditional))).toEqual(
      {},
    );
  });

  it('never fewer: every service that reads the outputs of one that deploys is planned, decided by those outputs', () => {
    const readers = generated.packages.filter((pkg) => pkg.deployTimeDeps.length > 0);
    const missing = (selection: (typeof selections)[number]): string[] => {
      const deploying = new Set([...selection.unconditional, ...Object.keys(selection.conditional)]);
      return readers
        .filter((pkg) => !selection.unconditional.includes(pkg.name))
        .filter((pkg) => pkg.deployTimeDeps.some((dep) => deploying.has(dep)))
        .filter((pkg) => {
          const on = selection.conditional[pkg.name] ?? [];
          return !pkg.deployTimeDeps.filter((dep) => deploying.has(dep)).every((dep) => on.includes(dep));
        })
        .map((pkg) => pkg.name);
    };
    expect(byCommit(selections, missing)).toEqual({});
  });

  it('nothing else: a conditional deploy is one that reads a deploying service, and is not also needed', () => {
    const extra = (selection: (typeof selections)[number]): string[] =>
      Object.entries(selection.conditional)
        .filter(
          ([name, on]) =>
            selection.needed.includes(name) ||
            on.some(
              (dep) =>
                !(generated.packages.find((pkg) => pkg.name === name)?.deployTimeDeps ?? []).includes(dep),
            ),
        )
        .map(([name]) => name);
    expect(byCommit(selections, extra)).toEqual({});
    expect(byCommit(selections, (selection) => without(selection.unconditional, selection.allowed))).toEqual(
      {},
    );
  });
});

describe('selection over a generated history of serverless patterns (pnpm 7, 16 services, 4 libraries)', () => {
  let generated: PatternsMonorepo;
  let selections: { message: string; kind: string; needed: string[]; selected: string[] }[];

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'shipgraph-selection-patterns-'));
    generated = generatePatternsMonorepo({ out, commits: COMMIT_KINDS.length * 2, seed: 3 });
    const repo = new TestRepo(generated.dir);
    selections = [];
    for (const commit of generated.commits) {
      if (commit.parent === null || commit.needed === null) continue;
      const plan = await repo.plan(['--base', commit.parent, '--head', commit.sha]);
      expect(plan.services).toHaveLength(16);
      selections.push({
        message: commit.message,
        kind: commit.kind,
        needed: commit.needed,
        selected: deploying(plan),
      });
    }
  }, 300_000);

  afterAll(() => {
    rmSync(generated.dir, { recursive: true, force: true });
  });

  it('the history touches every pattern, and some of them need some services deployed, not all', () => {
    expect([...new Set(selections.map((selection) => selection.kind))].sort()).toEqual(
      [...COMMIT_KINDS].sort(),
    );
    const needing = (kind: string) =>
      selections.filter((selection) => selection.kind === kind).map((selection) => selection.needed.length);
    for (const kind of ['env-file', 'shared-handler', 'assets', 'webpack-entry', 'stack-output'])
      expect(needing(kind).every((count) => count > 0 && count < 16)).toBe(true);
    for (const kind of ['tsconfig', 'tsconfig-base'])
      expect(needing(kind).every((count) => count === 16)).toBe(true);
    for (const kind of ['frontend', 'root-file', 'docs-tests', 'seed-script'])
      expect(needing(kind).every((count) => count === 0)).toBe(true);
  });

  it('every commit deploys every service that needs a deploy', () => {
    expect(
      Object.fromEntries(
        selections
          .map((selection) => [selection.message, without(selection.needed, selection.selected)] as const)
          .filter(([, missed]) => missed.length > 0),
      ),
    ).toEqual({});
  });

  it('no commit deploys a service that does not need a deploy', () => {
    expect(
      Object.fromEntries(
        selections
          .map((selection) => [selection.message, without(selection.selected, selection.needed)] as const)
          .filter(([, wasted]) => wasted.length > 0),
      ),
    ).toEqual({});
  });
});
