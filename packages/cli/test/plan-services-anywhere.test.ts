// Services outside the workspaces, and repositories without a root package.json: the config places
// them; serverless files shipgraph does not know are never silently left undeployed.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, tempRepo, type TestRepo } from './helpers/repo.js';

const serverlessTs = (name: string): string =>
  `import type { AWS } from '@serverless/typescript';\n\nconst config: AWS = { service: '${name}', provider: { name: 'aws', runtime: 'nodejs20.x' } };\n\nmodule.exports = config;\n`;

/** Libraries in yarn workspaces; services in a services/ tree the workspaces do not list. */
const outsideTheWorkspaces = (config?: object): Record<string, string | object> => ({
  'package.json': { name: 'acme', private: true, workspaces: ['packages/*'] },
  'packages/logger/package.json': { name: '@acme/logger', version: '1.0.0' },
  'packages/logger/src/index.ts': 'export const log = console.log;\n',
  'services/orders/package.json': {
    name: 'orders-service',
    private: true,
    dependencies: { '@acme/logger': '1.0.0' },
  },
  'services/orders/serverless.ts': serverlessTs('orders'),
  'services/orders/src/handler.ts': 'export const main = async () => ({ statusCode: 200 });\n',
  'services/users/serverless.ts': serverlessTs('users'),
  'services/users/src/handler.ts': 'export const main = async () => ({ statusCode: 200 });\n',
  ...(config === undefined ? {} : { 'shipgraph.config.json': config }),
});

describe('plan: services shipgraph does not find by itself', () => {
  it('serverless files outside every service are one warning naming them and the fix', async () => {
    const repo = tempRepo(outsideTheWorkspaces());
    repo.commit();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(
      'shipgraph: warning: 2 serverless config files outside every known service, never deployed: ' +
        'services/orders/serverless.ts, services/users/serverless.ts ' +
        '(fix: add the folder to the workspaces, or name it in shipgraph.config.json: "services": { "<name>": { "path": "services/orders" } })',
    );
    expect(result.stdout).toContain('0 of 0 services deploy');
  });

  it('the config places services outside the workspaces; their package.json dependencies count', async () => {
    const repo = tempRepo(
      outsideTheWorkspaces({
        services: { orders: { path: 'services/orders' }, users: { path: './services/users/' } },
      }),
    );
    repo.commit('initial');
    await repo.mark(repo.commit('second'));
    repo.write({ 'packages/logger/src/index.ts': 'export const log = console.info;\n' });
    repo.commit('logger: info');
    const result = await repo.run(['plan', '--json']);
    expect(result.stderr).toBe('');
    const plan = JSON.parse(result.stdout) as Awaited<ReturnType<TestRepo['plan']>>;
    expect(plan.services.map((service) => [service.name, service.path])).toEqual([
      ['orders', 'services/orders'],
      ['users', 'services/users'],
    ]);
    expect(deploying(plan)).toEqual(['orders']);
    expect(reasonsOf(plan, 'orders')).toEqual([{ kind: 'dependency', via: '@acme/logger' }]);
  });

  it('a repository without a root package.json works when the config names its services', async () => {
    const repo = tempRepo({
      'shipgraph.config.json': {
        services: { api: { path: 'stacks/api' }, site: { path: 'stacks/site', dependsOn: ['api'] } },
      },
      'stacks/api/serverless.yml': 'service: api\nprovider:\n  name: aws\n',
      'stacks/api/handler.py': 'def main(event, context):\n    return {"statusCode": 200}\n',
      'stacks/site/template.yml': 'Resources: {}\n',
    });
    repo.commit('initial');
    await repo.mark(repo.commit('second'));
    repo.write({ 'stacks/api/handler.py': 'def main(event, context):\n    return {"statusCode": 204}\n' });
    repo.commit('api: 204');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['api', 'site']);
    expect(plan.batches).toEqual([['api'], ['site']]);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stderr).toContain('workspace: 2 packages (2 services) from config;');
  });

  it('a configured path that holds no files, or that another package owns, is a one-line config error', async () => {
    const missing = tempRepo(outsideTheWorkspaces({ services: { orders: { path: 'service/orders' } } }));
    missing.commit();
    const first = await missing.run(['plan']);
    expect(first.exitCode).toBe(2);
    expect(first.stderr).toBe(
      'shipgraph: E_CONFIG: shipgraph.config.json: services."orders".path service/orders has no files in this commit (fix: give the folder of the service, relative to the repository root)',
    );
    const taken = tempRepo(
      outsideTheWorkspaces({ services: { '@acme/logger': { path: 'services/users' } } }),
    );
    taken.commit();
    const second = await taken.run(['plan']);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/^shipgraph: E_DUPLICATE_PACKAGE: two packages are named @acme\/logger/);
    const outside = tempRepo(outsideTheWorkspaces({ services: { orders: { path: '../orders' } } }));
    outside.commit();
    const third = await outside.run(['plan']);
    expect(third.exitCode).toBe(2);
    expect(third.stderr).toMatch(
      /^shipgraph: E_CONFIG: shipgraph\.config\.json is invalid: \/services\/orders\/path must match pattern/,
    );
  });
});
