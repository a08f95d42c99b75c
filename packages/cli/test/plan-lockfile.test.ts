// Lockfile changes reach only the packages whose resolved external dependencies changed.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploying, reasonsOf, shallowClone, tempRepo } from './helpers/repo.js';
import { bunLock, type LockedWorkspace } from '../../../tools/bench/lockfiles.mjs';
import { npmWorkspace } from './helpers/workspaces.js';

interface Versions {
  leftPad: string;
  uuid: string;
  ms: string;
}

/** An npm v3 lockfile for the workspace below: util → left-pad; orders → util, uuid; billing → ms → (none). */
const packageLock = (v: Versions) => ({
  name: 'acme',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'acme', workspaces: ['libs/*', 'services/*'] },
    'libs/util': { name: '@acme/util', version: '1.0.0', dependencies: { 'left-pad': '^1.0.0' } },
    'services/orders': {
      name: '@acme/orders',
      version: '1.0.0',
      dependencies: { '@acme/util': '*', uuid: '^9.0.0' },
    },
    'services/billing': { name: '@acme/billing', version: '1.0.0', dependencies: { ms: '^2.0.0' } },
    'node_modules/@acme/util': { resolved: 'libs/util', link: true },
    'node_modules/@acme/orders': { resolved: 'services/orders', link: true },
    'node_modules/@acme/billing': { resolved: 'services/billing', link: true },
    'node_modules/left-pad': { version: v.leftPad, integrity: `sha512-left-pad-${v.leftPad}` },
    'node_modules/uuid': { version: v.uuid, integrity: `sha512-uuid-${v.uuid}` },
    'node_modules/ms': { version: v.ms, integrity: `sha512-ms-${v.ms}` },
  },
});

const initial: Versions = { leftPad: '1.3.0', uuid: '9.0.0', ms: '2.1.3' };

async function deployedRepo() {
  const repo = tempRepo({
    ...npmWorkspace({ libs: { util: [] }, services: { orders: ['util'], billing: [] } }),
    'package-lock.json': packageLock(initial),
  });
  await repo.mark(repo.commit());
  return repo;
}

/** The same lockfile with a root devDependency: the deploy tooling every service is deployed with. */
const withRootTooling = (osls: string) => {
  const lock = packageLock(initial);
  return {
    ...lock,
    packages: {
      ...lock.packages,
      '': { ...lock.packages[''], devDependencies: { osls: '^4.3.0' } },
      'node_modules/osls': { version: osls, integrity: `sha512-osls-${osls}` },
    },
  };
};

describe('plan: lockfile changes', () => {
  it("a bump of the root's own tooling deploys every service, also when only fingerprints can tell", async () => {
    const repo = tempRepo({
      ...npmWorkspace({ libs: { util: [] }, services: { orders: ['util'], billing: [] } }),
      'package-lock.json': withRootTooling('4.3.0'),
    });
    await repo.mark(repo.commit());
    repo.write({ 'package-lock.json': withRootTooling('4.3.1') });
    repo.commit('bump osls');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      {
        kind: 'global',
        files: ['package-lock.json'],
        detail: "the repository root's external dependencies changed: osls",
      },
    ]);
    // A depth-1 clone cannot diff against the recorded commit; the fingerprint still sees the bump.
    const clone = shallowClone(repo);
    clone.write({
      '.shipgraph/state/staging.json': readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8'),
    });
    expect(deploying(await clone.plan())).toEqual(['@acme/billing', '@acme/orders']);
  });

  it("a bump of one service's external dependency deploys that service only", async () => {
    const repo = await deployedRepo();
    repo.write({ 'package-lock.json': packageLock({ ...initial, uuid: '9.0.1' }) });
    repo.commit('bump uuid');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      { kind: 'changed', files: ['package-lock.json'], detail: 'external dependencies changed: uuid' },
    ]);
  });

  it("a bump of a library's external dependency deploys the library's dependents", async () => {
    const repo = await deployedRepo();
    repo.write({ 'package-lock.json': packageLock({ ...initial, leftPad: '1.3.1' }) });
    repo.commit('bump left-pad');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'dependency', via: '@acme/util' }]);
  });

  it('a lockfile change that moves no version deploys nothing', async () => {
    const repo = await deployedRepo();
    const lock = packageLock(initial);
    repo.write({ 'package-lock.json': { ...lock, name: 'acme-renamed' } });
    repo.commit('cosmetic lockfile change');
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('a lockfile shipgraph cannot read deploys every service, saying why', async () => {
    const repo = await deployedRepo();
    repo.write({ 'package-lock.json': { lockfileVersion: 1, dependencies: {} } });
    repo.commit('downgrade lockfile');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      {
        kind: 'global',
        files: ['package-lock.json'],
        detail:
          'could not tell which packages the lockfile change affects (package-lock.json: lockfileVersion 1 is not supported (need 2 or 3))',
      },
    ]);
  });

  it('reads pnpm-lock.yaml v9 the same way', async () => {
    const lock = (ms: string) =>
      [
        "lockfileVersion: '9.0'",
        'importers:',
        '  .: {}',
        '  services/orders:',
        '    dependencies:',
        '      ms:',
        '        specifier: ^2.0.0',
        `        version: ${ms}`,
        '  services/billing:',
        '    dependencies:',
        "      '@acme/orders':",
        '        specifier: workspace:*',
        '        version: link:../orders',
        'packages:',
        `  ms@${ms}:`,
        `    resolution: {integrity: sha512-ms-${ms}}`,
        'snapshots:',
        `  ms@${ms}: {}`,
        '',
      ].join('\n');
    const repo = tempRepo({
      'package.json': { name: 'root', private: true },
      'pnpm-workspace.yaml': 'packages:\n  - services/*\n',
      'services/orders/package.json': { name: '@acme/orders', dependencies: { ms: '^2.0.0' } },
      'services/orders/serverless.yml': 'service: orders\n',
      'services/billing/package.json': {
        name: '@acme/billing',
        dependencies: { '@acme/orders': 'workspace:*' },
      },
      'services/billing/serverless.yml': 'service: billing\n',
      'services/payments/package.json': { name: '@acme/payments' },
      'services/payments/serverless.yml': 'service: payments\n',
      'pnpm-lock.yaml': lock('2.1.2'),
    });
    await repo.mark(repo.commit());
    repo.write({ 'pnpm-lock.yaml': lock('2.1.3') });
    repo.commit('bump ms');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      { kind: 'changed', files: ['pnpm-lock.yaml'], detail: 'external dependencies changed: ms' },
    ]);
  });

  it('reads bun.lock the same way; the binary bun.lockb deploys every service, naming it', async () => {
    const workspaces: LockedWorkspace[] = [
      { dir: '', name: 'acme', dependencies: {} },
      { dir: 'services/orders', name: '@acme/orders', dependencies: { zod: '^3.23.0' } },
      { dir: 'services/billing', name: '@acme/billing', dependencies: { ms: '^2.1.0' } },
    ];
    const lock = (zod: string) => bunLock(workspaces, { zod: { version: zod }, ms: { version: '2.1.3' } });
    const repo = tempRepo({
      'package.json': { name: 'acme', private: true, workspaces: ['services/*'] },
      'services/orders/package.json': { name: '@acme/orders', dependencies: { zod: '^3.23.0' } },
      'services/orders/serverless.yml': 'service: orders\n',
      'services/billing/package.json': { name: '@acme/billing', dependencies: { ms: '^2.1.0' } },
      'services/billing/serverless.yml': 'service: billing\n',
      'bun.lock': lock('3.23.8'),
    });
    await repo.mark(repo.commit());
    repo.write({ 'bun.lock': lock('3.24.1') });
    repo.commit('bump zod');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      { kind: 'changed', files: ['bun.lock'], detail: 'external dependencies changed: zod' },
    ]);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stderr).toContain('from bun workspaces;');

    repo.write({ 'bun.lockb': Buffer.from([0x23, 0x21, 0x2f, 0x00, 0xff, 0x01]).toString('latin1') });
    await repo.mark(repo.commit('bun.lockb appears'));
    repo.write({ 'bun.lockb': Buffer.from([0x23, 0x21, 0x2f, 0x00, 0xfe, 0x02]).toString('latin1') });
    repo.commit('bun.lockb changes');
    const binary = await repo.plan();
    expect(deploying(binary)).toEqual(['@acme/billing', '@acme/orders']);
    expect(reasonsOf(binary, '@acme/billing')).toEqual([
      {
        kind: 'global',
        files: ['bun.lockb'],
        detail:
          'could not tell which packages the lockfile change affects (bun.lockb: bun.lockb is binary (bun 1.2 and later write the text bun.lock))',
      },
    ]);
  });
});
