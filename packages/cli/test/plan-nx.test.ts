// The Nx graph source in planning: edges only Nx sees (imports through tsconfig path aliases), from the
// workspace's own nx, cached under .shipgraph/cache; and what the package.json graph would have missed.
import { describe, expect, it } from 'vitest';
import { nxWorkspace } from './helpers/nx-workspace.js';
import type { TestRepo } from './helpers/repo.js';

const deploying = async (repo: TestRepo, args: string[] = []) =>
  (await repo.plan(['--base', 'HEAD~1', ...args])).services
    .filter((service) => service.deploy)
    .map((service) => service.name);

const explainLine = async (repo: TestRepo): Promise<string> =>
  (await repo.run(['plan', '--explain', '--base', 'HEAD~1'])).stderr.split('\n')[0] ?? '';

/** The Nx workspace with this graph setting, then a change to the deepest library, money. */
function changedMoney(graph: string, withNx = true): TestRepo {
  const repo = nxWorkspace({ withNx });
  repo.write({ 'shipgraph.config.json': { graph } });
  repo.commit('graph source');
  repo.write({
    'libs/money/src/index.ts':
      'export const cents = (amount: number): number => Math.round(amount * 1000) / 10;\n',
  });
  repo.commit('money rounds to tenths of a cent');
  return repo;
}

describe('plan with the Nx graph source', () => {
  it('deploys exactly the services importing the changed library, directly or through another one', async () => {
    const repo = changedMoney('nx');
    const plan = await repo.plan(['--base', 'HEAD~1']);
    expect(plan.services.filter((service) => service.deploy).map((service) => service.name)).toEqual([
      'billing',
      'orders-api',
    ]);
    const reasons = Object.fromEntries(plan.services.map((service) => [service.name, service.reasons]));
    expect(reasons['orders-api']).toEqual([{ kind: 'dependency', via: 'money' }]);
    expect(reasons.catalog).toEqual([]);
    // With the package.json graph the same change deploys nothing: no manifest names the libraries.
    expect(await deploying(changedMoney('packages'))).toEqual([]);
  });

  it('reuses the cached graph until a file Nx reads changes, and says so in --explain', async () => {
    const repo = changedMoney('nx');
    expect(await explainLine(repo)).toContain(
      'graph: Nx project graph (run now, cached in .shipgraph/cache)',
    );
    expect(await explainLine(repo)).toContain('graph: Nx project graph (cached in .shipgraph/cache, reused)');

    // catalog starts importing money: the graph is built again and catalog now deploys with it.
    repo.write({
      'apps/catalog/src/handler.ts':
        "import { cents } from '@acme/money';\n\nexport const handler = async () => ({ statusCode: 200, body: `${cents(2)}` });\n",
    });
    repo.commit('catalog prices in cents');
    repo.write({
      'libs/money/src/index.ts': 'export const cents = (amount: number): number => amount * 100;\n',
    });
    repo.commit('money again');
    expect(await explainLine(repo)).toContain('(run now, cached in .shipgraph/cache)');
    expect(await deploying(repo)).toEqual(['billing', 'catalog', 'orders-api']);

    // An uncommitted edit Nx would read: the graph is built, and not cached under the commit's files.
    repo.write({ 'libs/orders-domain/src/extra.ts': 'export const extra = 1;\n' });
    expect(await explainLine(repo)).toContain(
      '(run now, not cached: files it reads have uncommitted changes)',
    );
  });

  it('falls back to the package.json graph only when automatic and nx is not installed, and says why', async () => {
    const auto = changedMoney('auto', false);
    expect(await explainLine(auto)).toContain(
      'graph: package.json and project.json (nx.json, but nx is not installed in the workspace)',
    );
    expect(await deploying(changedMoney('auto'))).toEqual(['billing', 'orders-api']);

    const required = changedMoney('nx', false);
    const result = await required.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^shipgraph: E_NX_MISSING: nx is not installed in the workspace/);
  });

  it('nx reads the checked-out files: planning another commit is refused, and an nx failure is shown', async () => {
    const repo = changedMoney('nx');
    const elsewhere = await repo.run(['plan', '--head', 'HEAD~1']);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toMatch(
      /^shipgraph: E_CHECKOUT_MISMATCH: the Nx graph comes from the checked-out files, which are at [0-9a-f]{12}, not at the planned [0-9a-f]{12}/,
    );
    repo.write({ 'nx.json': { plugins: ['@acme/nx-plugin-that-is-not-installed'] } });
    repo.commit('a plugin nx cannot load');
    const broken = await repo.run(['plan']);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/^shipgraph: E_NX: nx graph failed \(exit code 1\): /);
  });
});
