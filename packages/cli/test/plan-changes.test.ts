// `shipgraph plan` change detection, end to end: real git repositories, the real binary.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

/** util ← orders ← site; billing stands alone. */
const layout = npmWorkspace({
  libs: { util: [] },
  services: { orders: ['util'], billing: [], site: ['orders'] },
});

async function deployedRepo() {
  const repo = tempRepo(layout);
  const first = repo.commit('initial');
  await repo.mark(first);
  return { repo, first };
}

describe('plan: change detection against the recorded deploy', () => {
  it('with nothing recorded, every service is a first deploy', async () => {
    const repo = tempRepo(layout);
    repo.commit('initial');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([{ kind: 'first-deploy' }]);
    expect(plan.batches).toEqual([['@acme/billing', '@acme/orders'], ['@acme/site']]);
  });

  it('with no change since the deploy, nothing deploys', async () => {
    const { repo, first } = await deployedRepo();
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual([]);
    expect(plan.batches).toEqual([]);
    expect(plan.services.every((service) => service.base === first)).toBe(true);
  });

  it('a library change deploys its dependents only, in dependency order', async () => {
    const { repo } = await deployedRepo();
    repo.write({ 'libs/util/src/index.ts': 'export const name = "util v2";\n' });
    repo.commit('change util');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'dependency', via: '@acme/util' }]);
    expect(reasonsOf(plan, '@acme/site')).toEqual([{ kind: 'dependency', via: '@acme/util' }]);
    expect(plan.batches).toEqual([['@acme/orders'], ['@acme/site']]);
  });

  it('a change to a service deploys it and the services that depend on it', async () => {
    const { repo } = await deployedRepo();
    repo.write({
      'services/orders/src/handler.ts': 'export const handler = async () => ({ statusCode: 201 });\n',
    });
    repo.commit();
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      { kind: 'changed', files: ['services/orders/src/handler.ts'] },
    ]);
    expect(reasonsOf(plan, '@acme/site')).toEqual([{ kind: 'dependency', via: '@acme/orders' }]);
  });

  it('README, test and e2e changes deploy nothing', async () => {
    const { repo } = await deployedRepo();
    repo.write({
      'services/orders/README.md': '# orders\n',
      'services/orders/src/handler.test.ts': 'test\n',
      'services/billing/src/__tests__/a.ts': 'test\n',
      'services/billing/e2e/flow.ts': 'test\n',
      'libs/util/src/index.spec.ts': 'test\n',
      'docs/guide.md': 'text\n',
    });
    repo.commit('docs and tests');
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('sees every commit since the base, not just the last one', async () => {
    const { repo } = await deployedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    repo.commit('one');
    repo.write({ 'services/orders/src/handler.ts': 'export const v = 3;\n' });
    repo.commit('two');
    expect(deploying(await repo.plan())).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
  });

  it('sees both sides of a merge', async () => {
    const { repo } = await deployedRepo();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'services/billing/src/handler.ts': 'export const v = "feature";\n' });
    repo.commit('feature work');
    repo.git('checkout', '-q', 'main');
    repo.write({ 'libs/util/src/index.ts': 'export const v = "main";\n' });
    repo.commit('main work');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
  });

  it('a file moved from one service to another deploys both', async () => {
    const { repo } = await deployedRepo();
    repo.write({
      'services/orders/src/pricing.ts': 'export const price = (n: number) => n * 100;\n'.repeat(5),
    });
    const withFile = repo.commit('add pricing');
    await repo.mark(withFile);
    repo.move('services/orders/src/pricing.ts', 'services/billing/src/pricing.ts');
    repo.commit('move pricing to billing');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      { kind: 'changed', files: ['services/billing/src/pricing.ts'] },
    ]);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      { kind: 'changed', files: ['services/orders/src/pricing.ts'] },
    ]);
  });

  it('compares each service with its own recorded deploy (one failed last time)', async () => {
    const { repo, first } = await deployedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    repo.write({ 'services/orders/src/handler.ts': 'export const v = 2;\n' });
    const second = repo.commit('change both');
    // orders and site deployed at `second`; billing's deploy failed, so it is still recorded at `first`.
    await repo.mark(second, ['orders', 'site']);
    repo.write({ 'docs/notes.md': 'unrelated\n' });
    repo.commit('docs');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing']);
    expect(plan.services.find((service) => service.name === '@acme/billing')?.base).toBe(first);
    expect(plan.services.find((service) => service.name === '@acme/orders')?.base).toBe(second);
  });

  it('a new service is a first deploy; the others are untouched', async () => {
    const { repo } = await deployedRepo();
    repo.write(npmWorkspace({ services: { payments: ['util'] } }));
    repo.commit('add payments');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/payments']);
    expect(reasonsOf(plan, '@acme/payments')).toEqual([{ kind: 'first-deploy' }]);
  });

  it('a deleted service is reported as an orphan', async () => {
    const { repo } = await deployedRepo();
    repo.remove('services/billing');
    repo.commit('remove billing');
    const plan = await repo.plan();
    expect(plan.orphans).toEqual(['@acme/billing']);
    expect(deploying(plan)).toEqual([]);
    const table = await repo.run(['plan']);
    expect(table.stdout).toContain(
      'orphans (recorded in stage staging, gone from the workspace): @acme/billing',
    );
  });

  it('a change to a global file deploys every service', async () => {
    const { repo } = await deployedRepo();
    repo.write({ 'tsconfig.base.json': { compilerOptions: { strict: false } } });
    repo.commit('loosen tsconfig');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([{ kind: 'global', files: ['tsconfig.base.json'] }]);
  });

  it('the root package.json and files outside every package are not global', async () => {
    const { repo } = await deployedRepo();
    repo.write({
      'package.json': { name: 'acme', private: true, workspaces: ['libs/*', 'services/*'], description: 'x' },
      'scripts/release.sh': 'echo\n',
    });
    repo.commit('root housekeeping');
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('a reverted change deploys nothing', async () => {
    const { repo } = await deployedRepo();
    repo.write({ 'libs/util/src/index.ts': 'export const broken = true;\n' });
    const bad = repo.commit('bad change');
    repo.git('revert', '--no-edit', bad);
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('--base replaces every recorded base', async () => {
    const { repo, first } = await deployedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    const second = repo.commit();
    await repo.mark(second);
    const plan = await repo.plan(['--base', first]);
    expect(deploying(plan)).toEqual(['@acme/billing']);
    expect(plan.services.every((service) => service.base === first)).toBe(true);
  });

  it('--head, else CODEBUILD_RESOLVED_SOURCE_VERSION, picks the commit to plan', async () => {
    const { repo, first } = await deployedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    const second = repo.commit();
    expect((await repo.plan(['--head', first])).head).toBe(first);
    expect(deploying(await repo.plan(['--head', first]))).toEqual([]);
    const fromEnv = await repo.plan([], { CODEBUILD_RESOLVED_SOURCE_VERSION: first });
    expect(fromEnv.head).toBe(first);
    expect((await repo.plan()).head).toBe(second);
  });
});
