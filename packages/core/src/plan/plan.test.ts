// plan() and basesToCompare() on a literal workspace, state and diffs.
import { describe, expect, it } from 'vitest';
import { defaultPlannerConfig } from '../changes/inputs.js';
import type {
  BaseComparison,
  LockfileImpact,
  Plan,
  PlannerConfig,
  ServiceRecord,
  StageState,
  Workspace,
  WorkspacePackage,
} from '../types.js';
import { fingerprintsOf, type HeadFile } from './fingerprint.js';
import { basesToCompare, plan, type PlanOptions } from './plan.js';

const pkg = (name: string, dir: string, isService: boolean, deps: string[] = []): WorkspacePackage => ({
  name: `@acme/${name}`,
  dir,
  isService,
  dependsOn: deps.map((dep) => ({ name: `@acme/${dep}`, source: 'package.json' })),
});

/** site → client (library) → orders → util (library); billing stands alone. */
const layout: Workspace = {
  packages: [
    pkg('billing', 'services/billing', true),
    pkg('client', 'libs/client', false, ['orders']),
    pkg('orders', 'services/orders', true, ['util']),
    pkg('site', 'services/site', true, ['client']),
    pkg('util', 'libs/util', false),
  ],
  sources: ['npm workspaces'],
};

const head: HeadFile[] = [
  { path: 'tsconfig.base.json', oid: '01' },
  { path: 'libs/client/src/index.ts', oid: '02' },
  { path: 'libs/util/src/index.ts', oid: '03' },
  { path: 'services/billing/src/handler.ts', oid: '04' },
  { path: 'services/orders/src/handler.ts', oid: '05' },
  { path: 'services/site/src/handler.ts', oid: '06' },
];
const current = (service: string) =>
  fingerprintsOf(layout, defaultPlannerConfig(), head).of(`@acme/${service}`);

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const HEAD = 'f'.repeat(40);

const deployedAt = (commit: string, fingerprint: string | null = null): ServiceRecord => ({
  commit,
  fingerprint,
  deployedAt: '2024-05-01T12:00:00.000Z',
  regions: ['eu-west-1'],
});
const stateOf = (services: Record<string, ServiceRecord>): StageState => ({
  version: 1,
  stage: 'prod',
  services,
});
const allAt = (commit: string) =>
  stateOf({
    '@acme/billing': deployedAt(commit),
    '@acme/orders': deployedAt(commit),
    '@acme/site': deployedAt(commit),
  });

const changed = (...paths: string[]): BaseComparison => ({
  reachable: true,
  files: paths.map((path) => ({ path, status: 'M' })),
  lockfiles: [],
  tooling: [],
});

interface Scenario {
  workspace?: Workspace;
  config?: PlannerConfig;
  state?: StageState;
  comparisons?: Record<string, BaseComparison>;
  options?: Partial<PlanOptions>;
  missingStacks?: string[];
}

const planOf = (scenario: Scenario): Plan =>
  plan({
    workspace: scenario.workspace ?? layout,
    config: scenario.config ?? defaultPlannerConfig(),
    stage: 'prod',
    head: HEAD,
    headFiles: head,
    state: scenario.state ?? allAt(A),
    comparisons: new Map(Object.entries(scenario.comparisons ?? { [A]: changed() })),
    options: {
      force: false,
      baseOverride: null,
      only: null,
      exclude: [],
      skip: null,
      ...scenario.options,
    },
    missingStacks: new Map((scenario.missingStacks ?? []).map((name) => [name, 'no stack in eu-west-1'])),
  });

const reasonsOf = (result: Plan) => Object.fromEntries(result.services.map((s) => [s.name, s.reasons]));
const deploying = (result: Plan) => result.services.filter((s) => s.deploy).map((s) => s.name);

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('plan: what changed since the recorded deploy', () => {
  it('deploys nothing when nothing changed', () => {
    const idle = (name: string, path: string, dependsOn: string[]) => ({
      name,
      path,
      deploy: false,
      batch: null,
      base: A,
      dependsOn,
      fingerprint: null,
      reasons: [],
    });
    expect(planOf({})).toEqual({
      version: 1,
      stage: 'prod',
      head: HEAD,
      skipped: null,
      services: [
        idle('@acme/billing', 'services/billing', []),
        idle('@acme/orders', 'services/orders', []),
        idle('@acme/site', 'services/site', ['@acme/orders']),
      ],
      batches: [],
      orphans: [],
    });
  });

  it('deploys a changed service, then the service that reaches it through a library', () => {
    const result = planOf({
      comparisons: { [A]: changed('services/orders/src/handler.ts', 'services/orders/README.md') },
    });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [],
      '@acme/orders': [{ kind: 'changed', files: ['services/orders/src/handler.ts'] }],
      '@acme/site': [{ kind: 'dependency', via: '@acme/orders' }],
    });
    expect(result.batches).toEqual([['@acme/orders'], ['@acme/site']]);
    expect(result.services.map((s) => [s.batch, s.fingerprint])).toEqual([
      [null, null],
      [0, current('orders')],
      [1, current('site')],
    ]);
  });

  it('names each changed library a service depends on', () => {
    const result = planOf({
      comparisons: { [A]: changed('libs/util/src/index.ts', 'libs/client/src/index.ts') },
    });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [],
      '@acme/orders': [{ kind: 'dependency', via: '@acme/util' }],
      '@acme/site': [
        { kind: 'dependency', via: '@acme/client' },
        { kind: 'dependency', via: '@acme/util' },
      ],
    });
  });

  it('counts both sides of a rename', () => {
    const comparison: BaseComparison = {
      reachable: true,
      files: [{ path: 'services/orders/src/tax.ts', from: 'services/billing/src/tax.ts', status: 'R' }],
      lockfiles: [],
      tooling: [],
    };
    expect(deploying(planOf({ comparisons: { [A]: comparison } }))).toEqual([
      '@acme/billing',
      '@acme/orders',
      '@acme/site',
    ]);
  });

  it('deploys every service when a global file changed', () => {
    const result = planOf({ comparisons: { [A]: changed('tsconfig.base.json', 'docs/notes.txt') } });
    const global = [{ kind: 'global', files: ['tsconfig.base.json'] }];
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': global,
      '@acme/orders': global,
      '@acme/site': global,
    });
    expect(result.batches).toEqual([['@acme/billing', '@acme/orders'], ['@acme/site']]);
  });

  it('compares each service with its own base', () => {
    const result = planOf({
      state: stateOf({
        '@acme/billing': deployedAt(B),
        '@acme/orders': deployedAt(A),
        '@acme/site': deployedAt(A),
      }),
      comparisons: {
        [A]: changed('services/billing/src/handler.ts', 'services/orders/src/handler.ts'),
        [B]: changed(),
      },
    });
    expect(deploying(result)).toEqual(['@acme/orders', '@acme/site']);
    expect(result.services.map((s) => s.base)).toEqual([B, A, A]);
  });

  it('deploys nothing when the content equals the recorded fingerprint, unless --base is given', () => {
    const state = stateOf({
      '@acme/billing': deployedAt(A),
      '@acme/orders': deployedAt(A, current('orders')),
      '@acme/site': deployedAt(A),
    });
    const comparisons = { [A]: changed('services/orders/src/handler.ts') };
    const result = planOf({ state, comparisons });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [],
      '@acme/orders': [],
      '@acme/site': [{ kind: 'dependency', via: '@acme/orders' }],
    });
    expect(result.batches).toEqual([['@acme/site']]);
    expect(deploying(planOf({ state, comparisons, options: { baseOverride: A } }))).toEqual([
      '@acme/orders',
      '@acme/site',
    ]);
  });
});

describe('plan: lockfile changes', () => {
  const lockfileChange = (lockfile: LockfileImpact): BaseComparison => ({
    reachable: true,
    files: [
      { path: 'package-lock.json', status: 'M' },
      { path: 'services/billing/package.json', status: 'M' },
    ],
    lockfiles: [lockfile],
    tooling: [],
  });

  it('deploys the packages whose external dependencies changed, with the lockfile as the changed file', () => {
    const impact = {
      known: true as const,
      file: 'package-lock.json',
      packages: { '@acme/billing': ['left-pad', 'zod'] },
      root: [],
    };
    expect(reasonsOf(planOf({ comparisons: { [A]: lockfileChange(impact) } }))).toEqual({
      '@acme/billing': [
        { kind: 'changed', files: ['services/billing/package.json'] },
        {
          kind: 'changed',
          files: ['package-lock.json'],
          detail: 'external dependencies changed: left-pad, zod',
        },
      ],
      '@acme/orders': [],
      '@acme/site': [],
    });
  });

  it('reaches the dependents of a library whose external dependencies changed', () => {
    const impact = {
      known: true as const,
      file: 'package-lock.json',
      packages: { '@acme/util': ['lodash'] },
      root: [],
    };
    expect(reasonsOf(planOf({ comparisons: { [A]: lockfileChange(impact) } }))).toEqual({
      '@acme/billing': [{ kind: 'changed', files: ['services/billing/package.json'] }],
      '@acme/orders': [{ kind: 'dependency', via: '@acme/util' }],
      '@acme/site': [{ kind: 'dependency', via: '@acme/util' }],
    });
  });

  it('names the reference of a package whose files name the lockfile; a folder taking it in counts for nothing', () => {
    const via = 'serverless.yml custom.webpack.packagerOptions.lockFile ../../package-lock.json';
    const referring: Workspace = {
      ...layout,
      packages: layout.packages.map((entry) =>
        entry.name === '@acme/billing'
          ? { ...entry, lockfileReferences: [{ file: 'package-lock.json', via }] }
          : entry.name === '@acme/site'
            ? { ...entry, externalInputs: [{ path: '', match: 'tree', via: 'webpack.config.js ../..' }] }
            : entry,
      ),
    };
    const impact = {
      known: true as const,
      file: 'package-lock.json',
      packages: { '@acme/billing': ['zod'] },
      root: [],
    };
    const comparison: BaseComparison = {
      reachable: true,
      files: [{ path: 'package-lock.json', status: 'M' }],
      lockfiles: [impact],
      tooling: [],
    };
    expect(reasonsOf(planOf({ workspace: referring, comparisons: { [A]: comparison } }))).toEqual({
      '@acme/billing': [
        {
          kind: 'changed',
          files: ['package-lock.json'],
          via: `${via} → resolved dependencies`,
          detail: 'external dependencies changed: zod',
        },
      ],
      '@acme/orders': [],
      '@acme/site': [],
    });
  });

  it('lets a known impact replace a global rule for the lockfile', () => {
    const config = { ...defaultPlannerConfig(), globalFiles: ['package-lock.json'] };
    const none = { known: true as const, file: 'package-lock.json', packages: {}, root: [] };
    const known: BaseComparison = {
      reachable: true,
      files: [{ path: 'package-lock.json', status: 'M' }],
      lockfiles: [none],
      tooling: [],
    };
    expect(deploying(planOf({ config, comparisons: { [A]: known } }))).toEqual([]);
    expect(deploying(planOf({ config, comparisons: { [A]: changed('package-lock.json') } }))).toEqual([
      '@acme/billing',
      '@acme/orders',
      '@acme/site',
    ]);
  });

  it("deploys every service when the root's own dependencies (the deploy tooling) changed", () => {
    const impact = { known: true as const, file: 'package-lock.json', packages: {}, root: ['osls'] };
    const global = {
      kind: 'global',
      files: ['package-lock.json'],
      detail: "the repository root's external dependencies changed: osls",
    };
    expect(reasonsOf(planOf({ comparisons: { [A]: lockfileChange(impact) } }))).toEqual({
      '@acme/billing': [global, { kind: 'changed', files: ['services/billing/package.json'] }],
      '@acme/orders': [global],
      '@acme/site': [global],
    });
  });

  it('deploys every service when the lockfile change cannot be followed', () => {
    const why = 'package-lock.json: lockfileVersion 1 is not supported (need 2 or 3)';
    const result = planOf({
      comparisons: { [A]: lockfileChange({ known: false, file: 'package-lock.json', why }) },
    });
    const global = {
      kind: 'global',
      files: ['package-lock.json'],
      detail: `could not tell which packages the lockfile change affects (${why})`,
    };
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [global, { kind: 'changed', files: ['services/billing/package.json'] }],
      '@acme/orders': [global],
      '@acme/site': [global],
    });
  });
});

describe('plan: deploys that do not depend on a diff', () => {
  it('deploys a service never deployed in this stage as a first deploy', () => {
    const result = planOf({
      state: stateOf({ '@acme/orders': deployedAt(A), '@acme/site': deployedAt(A) }),
    });
    expect(reasonsOf(result)['@acme/billing']).toEqual([{ kind: 'first-deploy' }]);
    expect(deploying(result)).toEqual(['@acme/billing']);
    expect(result.services[0]?.base).toBeNull();
  });

  it('deploys everything when forced, without comparing', () => {
    const result = planOf({
      state: stateOf({}),
      comparisons: {},
      options: { force: true },
      missingStacks: ['@acme/site'],
    });
    const forced = [{ kind: 'forced' }];
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': forced,
      '@acme/orders': forced,
      '@acme/site': forced,
    });
    expect(result.batches).toEqual([['@acme/billing', '@acme/orders'], ['@acme/site']]);
  });

  it('puts stack-missing first, before the other reasons', () => {
    const result = planOf({
      comparisons: { [A]: changed('services/orders/src/handler.ts') },
      missingStacks: ['@acme/billing', '@acme/orders'],
    });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [{ kind: 'stack-missing', detail: 'no stack in eu-west-1' }],
      '@acme/orders': [
        { kind: 'stack-missing', detail: 'no stack in eu-west-1' },
        { kind: 'changed', files: ['services/orders/src/handler.ts'] },
      ],
      '@acme/site': [{ kind: 'dependency', via: '@acme/orders' }],
    });
    expect(result.batches).toEqual([['@acme/billing', '@acme/orders'], ['@acme/site']]);
  });

  it('redeploys the dependents of a service whose stack is missing, to pick up its new outputs', () => {
    const result = planOf({ comparisons: { [A]: changed() }, missingStacks: ['@acme/orders'] });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [],
      '@acme/orders': [{ kind: 'stack-missing', detail: 'no stack in eu-west-1' }],
      '@acme/site': [
        { kind: 'dependency', via: '@acme/orders', detail: 'its stack is missing and is created again' },
      ],
    });
    expect(result.batches).toEqual([['@acme/orders'], ['@acme/site']]);
  });

  it('deploys when the base is unreachable and no fingerprint was recorded', () => {
    const why = `${A} is not an ancestor of ${HEAD}`;
    const result = planOf({ comparisons: { [A]: { reachable: false, why } } });
    const unreachable = [{ kind: 'base-unreachable', detail: `${why}; no fingerprint recorded` }];
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': unreachable,
      '@acme/orders': unreachable,
      '@acme/site': unreachable,
    });
  });

  it('with an unreachable base, compares the recorded fingerprint instead', () => {
    const why = 'commit not found';
    const result = planOf({
      state: stateOf({
        '@acme/billing': deployedAt(A, current('billing')),
        '@acme/orders': deployedAt(A, 'e'.repeat(32)),
        '@acme/site': deployedAt(A),
      }),
      comparisons: { [A]: { reachable: false, why } },
    });
    expect(reasonsOf(result)).toEqual({
      '@acme/billing': [],
      '@acme/orders': [{ kind: 'base-unreachable', detail: `${why}; fingerprint differs` }],
      '@acme/site': [{ kind: 'base-unreachable', detail: `${why}; no fingerprint recorded` }],
    });
  });
});

describe('plan: preview stages (services with no record compare with the merge base)', () => {
  const M = 'c'.repeat(40);

  it('deploys only what changed since the merge base, not every unrecorded service', () => {
    const result = planOf({
      state: stateOf({}),
      comparisons: { [M]: changed('services/billing/src/handler.ts') },
      options: { unrecordedBase: M },
    });
    expect(deploying(result)).toEqual(['@acme/billing']);
    expect(result.services.map((service) => service.base)).toEqual([M, M, M]);
  });

  it('deploys what a deploying service needs that is not in the stage yet, through libraries', () => {
    const result = planOf({
      state: stateOf({}),
      comparisons: { [M]: changed('services/site/src/handler.ts') },
      options: { unrecordedBase: M },
    });
    expect(deploying(result)).toEqual(['@acme/orders', '@acme/site']);
    expect(reasonsOf(result)['@acme/orders']).toEqual([
      { kind: 'needed', via: '@acme/site', detail: 'not deployed in this stage yet' },
    ]);
    expect(result.services.find((service) => service.name === '@acme/orders')?.fingerprint).toBe(
      current('orders'),
    );
    expect(result.batches).toEqual([['@acme/orders'], ['@acme/site']]);
  });

  it('leaves a needed service alone once it is recorded in the stage, and compares it with its record', () => {
    const result = planOf({
      state: stateOf({ '@acme/orders': deployedAt(A) }),
      comparisons: { [M]: changed('services/site/src/handler.ts'), [A]: changed() },
      options: { unrecordedBase: M },
    });
    expect(deploying(result)).toEqual(['@acme/site']);
    expect(result.services.find((service) => service.name === '@acme/orders')?.base).toBe(A);
  });

  it('asks basesToCompare for the merge base of unrecorded services and the record of the others', () => {
    const state = stateOf({ '@acme/orders': deployedAt(A) });
    const options = { force: false, baseOverride: null, only: null, exclude: [], unrecordedBase: M };
    expect(basesToCompare(layout, state, options).sort()).toEqual([A, M]);
  });

  it('adds nothing while the run is skipped (a pull request in test mode)', () => {
    const result = planOf({
      state: stateOf({}),
      comparisons: { [M]: changed('services/site/src/handler.ts') },
      options: { unrecordedBase: M, skip: { reason: 'pull-request', trigger: 'pr/3' } },
    });
    expect(reasonsOf(result)['@acme/orders']).toEqual([]);
  });
});

describe('plan: scope of the run', () => {
  it('deploys nothing for a pull request but still gives the reasons', () => {
    const result = planOf({
      comparisons: { [A]: changed('services/orders/src/handler.ts') },
      options: { skip: { reason: 'pull-request', trigger: 'pr/12' } },
    });
    expect(result.skipped).toEqual({ reason: 'pull-request', trigger: 'pr/12' });
    expect(result.services.map((s) => [s.deploy, s.batch])).toEqual([
      [false, null],
      [false, null],
      [false, null],
    ]);
    expect(result.batches).toEqual([]);
    expect(reasonsOf(result)['@acme/orders']).toEqual([
      { kind: 'changed', files: ['services/orders/src/handler.ts'] },
    ]);
  });

  it('plans only the services left by --only and --exclude, accepting unscoped names', () => {
    const result = planOf({
      comparisons: { [A]: changed('services/orders/src/handler.ts') },
      options: { only: ['orders', 'site'], exclude: ['@acme/site'] },
    });
    expect(result.services.map((s) => s.name)).toEqual(['@acme/orders']);
    expect(result.batches).toEqual([['@acme/orders']]);
  });

  it('rejects unknown and ambiguous service names with E_UNKNOWN_SERVICE', () => {
    expect(errorOf(() => planOf({ options: { only: ['shipping'] } }))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: 'no service named "shipping"',
    });
    const twoBillings = {
      ...layout,
      packages: [...layout.packages, { ...pkg('x', 'other/billing', true), name: '@other/billing' }],
    };
    expect(
      errorOf(() => planOf({ workspace: twoBillings, options: { exclude: ['billing'] } })),
    ).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: '"billing" matches several packages: @acme/billing, @other/billing',
    });
  });

  it('lists recorded services that are no longer services as orphans', () => {
    const state = {
      ...allAt(A),
      services: { ...allAt(A).services, '@acme/util': deployedAt(A), '@acme/legacy': deployedAt(B) },
    };
    expect(planOf({ state }).orphans).toEqual(['@acme/legacy', '@acme/util']);
  });
});

describe('basesToCompare', () => {
  const state = stateOf({
    '@acme/billing': deployedAt(B),
    '@acme/orders': deployedAt(A),
    '@acme/site': deployedAt(A),
    '@acme/legacy': deployedAt('c'.repeat(40)),
  });
  const options = { force: false, baseOverride: null, only: null, exclude: [] };

  it('lists each recorded base of the planned services once', () => {
    expect(basesToCompare(layout, state, options)).toEqual([B, A]);
    expect(basesToCompare(layout, stateOf({ '@acme/site': deployedAt(A) }), options)).toEqual([A]);
    expect(basesToCompare(layout, stateOf({}), options)).toEqual([]);
  });

  it('follows --only and --exclude', () => {
    expect(basesToCompare(layout, state, { ...options, only: ['billing'] })).toEqual([B]);
    expect(basesToCompare(layout, state, { ...options, exclude: ['billing'] })).toEqual([A]);
  });

  it('uses --base for every service, and compares nothing when forced', () => {
    expect(basesToCompare(layout, stateOf({}), { ...options, baseOverride: HEAD })).toEqual([HEAD]);
    expect(basesToCompare(layout, state, { ...options, force: true })).toEqual([]);
  });
});

describe('plan: files outside every package that a package refers to', () => {
  const referring: Workspace = {
    ...layout,
    packages: layout.packages.map((entry) =>
      entry.name === '@acme/billing'
        ? {
            ...entry,
            externalInputs: [{ path: 'common', match: 'tree', via: 'serverless.yml ../../common' }],
          }
        : entry.name === '@acme/util'
          ? {
              ...entry,
              externalInputs: [
                {
                  path: 'common/env.yml',
                  match: 'exact',
                  via: 'serverless.yml ${file(../../common/env.yml)}',
                },
                { path: 'common/db.ts', match: 'exact', via: "src/index.ts import '../../../common/db'" },
              ],
            }
          : entry,
    ),
  };

  it('deploys the referring package’s dependents, naming each reference with its files', () => {
    const result = planOf({
      workspace: referring,
      comparisons: { [A]: changed('common/env.yml', 'common/db.ts', 'common/README.md') },
    });
    expect(reasonsOf(result)['@acme/billing']).toEqual([
      {
        kind: 'changed',
        files: ['common/README.md', 'common/db.ts', 'common/env.yml'],
        via: 'serverless.yml ../../common',
      },
    ]);
    expect(reasonsOf(result)['@acme/orders']).toEqual([{ kind: 'dependency', via: '@acme/util' }]);
    expect(deploying(result)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
  });

  it('counts a renamed-away file as the reference’s too', () => {
    const comparison: BaseComparison = {
      reachable: true,
      files: [{ path: 'common/database.ts', from: 'common/db.ts', status: 'R' }],
      lockfiles: [],
      tooling: [],
    };
    expect(deploying(planOf({ workspace: referring, comparisons: { [A]: comparison } }))).toEqual([
      '@acme/billing',
      '@acme/orders',
      '@acme/site',
    ]);
  });
});

describe('plan: a deploy made from a dirty checkout', () => {
  const dirtyState = stateOf({
    '@acme/billing': { ...deployedAt(A, current('billing')), dirty: true },
    '@acme/orders': deployedAt(A),
    '@acme/site': deployedAt(A),
  });

  it('never counts as deployed: the service deploys again, even with nothing changed, and its base is not diffed', () => {
    const result = planOf({ state: dirtyState, comparisons: { [A]: changed() } });
    expect(deploying(result)).toEqual(['@acme/billing']);
    expect(reasonsOf(result)['@acme/billing']).toEqual([
      {
        kind: 'dirty',
        detail: `deployed last from a checkout that differed from ${A.slice(0, 12)} (--allow-dirty)`,
      },
    ]);
    const onlyDirty = stateOf({ '@acme/billing': { ...deployedAt(B), dirty: true } });
    expect(
      basesToCompare(layout, onlyDirty, { force: false, baseOverride: null, only: ['billing'], exclude: [] }),
    ).toEqual([]);
  });
});
