// Reading the workspace: npm, pnpm and Nx layouts, config-declared services and edges, and the errors.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

const serverless = (name: string): string => `service: ${name}\nprovider:\n  name: aws\n`;

describe('plan: workspace layouts', () => {
  it('reads a pnpm workspace, whatever the version spec (workspace:*, file:, ^1.0.0)', async () => {
    const repo = tempRepo({
      'package.json': { name: 'root', private: true },
      'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n  - 'apps/**'\n  - '!**/fixtures/**'\n",
      'packages/core/package.json': { name: 'core', version: '1.0.0' },
      'packages/core/index.ts': 'export {};\n',
      'packages/fmt/package.json': { name: 'fmt', version: '1.0.0', peerDependencies: { core: '^1.0.0' } },
      'packages/fmt/index.ts': 'export {};\n',
      'apps/api/package.json': { name: 'api', dependencies: { core: 'workspace:*' } },
      'apps/api/serverless.yml': serverless('api'),
      'apps/web/package.json': { name: 'web', devDependencies: { fmt: 'file:../../packages/fmt' } },
      'apps/web/serverless.yaml': serverless('web'),
      'apps/web/fixtures/sample/package.json': { name: 'sample-fixture' },
    });
    await repo.mark(repo.commit());
    repo.write({ 'packages/core/index.ts': 'export const v = 2;\n' });
    repo.commit();
    const plan = await repo.plan();
    expect(plan.services.map((service) => service.name)).toEqual(['api', 'web']);
    expect(deploying(plan)).toEqual(['api', 'web']);
    expect(reasonsOf(plan, 'web')).toEqual([{ kind: 'dependency', via: 'core' }]);
  });

  it('reads Nx project.json projects with implicitDependencies (and ! to drop an edge)', async () => {
    const repo = tempRepo({
      'package.json': { name: 'root', private: true },
      'nx.json': {},
      'libs/shared/project.json': { name: 'shared' },
      'libs/shared/src/index.ts': 'export {};\n',
      'libs/legacy/project.json': { name: 'legacy' },
      'libs/legacy/src/index.ts': 'export {};\n',
      'apps/orders/project.json': { name: 'orders', implicitDependencies: ['shared'] },
      'apps/orders/serverless.yml': serverless('orders'),
      'apps/reports/project.json': { name: 'reports', implicitDependencies: ['!legacy'] },
      'apps/reports/package.json': { name: '@acme/reports', dependencies: { legacy: '*' } },
      'apps/reports/serverless.yml': serverless('reports'),
    });
    await repo.mark(repo.commit());
    repo.write({
      'libs/shared/src/index.ts': 'export const v = 2;\n',
      'libs/legacy/src/index.ts': 'export const v = 2;\n',
    });
    repo.commit();
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['orders']);
    expect(reasonsOf(plan, 'orders')).toEqual([{ kind: 'dependency', via: 'shared' }]);
  });

  it('an implicit dependency on a project that does not exist is an error', async () => {
    const repo = tempRepo({
      'nx.json': {},
      'apps/orders/project.json': { name: 'orders', implicitDependencies: ['sharde'] },
      'apps/orders/serverless.yml': serverless('orders'),
    });
    repo.commit();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'E_WORKSPACE: apps/orders/project.json: implicit dependency "sharde" is not a project',
    );
  });

  it('the config declares services and deploy-order edges without a code dependency', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { api: [] }, libs: { site: [] } }),
      'shipgraph.config.json': { services: { '@acme/site': { dependsOn: ['@acme/api'] } } },
    });
    const first = repo.commit();
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/api', '@acme/site']);
    expect(plan.batches).toEqual([['@acme/api'], ['@acme/site']]);
    expect(plan.services.find((service) => service.name === '@acme/site')?.dependsOn).toEqual(['@acme/api']);
    await repo.mark(first);
    repo.write({ 'services/api/src/handler.ts': 'export const v = 2;\n' });
    repo.commit();
    // A deploy-order edge ships nothing of api's: site deploys only if api's outputs change.
    expect(reasonsOf(await repo.plan(), '@acme/site')).toEqual([
      { kind: 'dependency', via: '@acme/api', conditional: true, detail: 'if its outputs change' },
    ]);
  });

  it('reading outputs in its own files (SHIPGRAPH_OUTPUT_*, ${cf:...}) is a deploy-time edge; the rest deploys nothing', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { 'orders-api': [], mailer: [], shop: [], audit: [] } }),
      // mailer's handler reads orders-api's queue from the variable shipgraph gives its deploy.
      'services/mailer/src/handler.ts':
        'export const queue = process.env.SHIPGRAPH_OUTPUT_ORDERS_API_QUEUEURL;\nexport const handler = async () => ({ statusCode: 200 });\n',
      // shop reads it through the Serverless Framework, by stack name with the stage in it.
      'services/shop/serverless.yml':
        'service: shop\nprovider:\n  name: aws\n  environment:\n    ORDERS_URL: ${cf:orders-api-${sls:stage}.ServiceEndpoint}\n',
      // audit names a stack of no service here, and a variable of no service here.
      'services/audit/serverless.yml':
        'service: audit\nprovider:\n  name: aws\n  environment:\n    BILLING: ${cf:billing-${sls:stage}.Url}\n    X: ${env:SHIPGRAPH_OUTPUT_BILLING_URL}\n',
    });
    const first = repo.commit();
    const plan = await repo.plan();
    expect(plan.batches).toEqual([
      ['@acme/audit', '@acme/orders-api'],
      ['@acme/mailer', '@acme/shop'],
    ]);
    await repo.mark(first);
    repo.write({ 'services/orders-api/src/handler.ts': 'export const v = 2;\n' });
    repo.commit();
    const changed = await repo.plan();
    expect(deploying(changed)).toEqual(['@acme/mailer', '@acme/orders-api', '@acme/shop']);
    for (const reader of ['@acme/mailer', '@acme/shop'])
      expect(reasonsOf(changed, reader)).toEqual([
        { kind: 'dependency', via: '@acme/orders-api', conditional: true, detail: 'if its outputs change' },
      ]);
  });

  it('a service waits for a deploying service it reaches through a library', async () => {
    const repo = tempRepo(
      npmWorkspace({ services: { api: [], web: ['client'] }, libs: { client: ['api'] } }),
    );
    repo.commit();
    const plan = await repo.plan();
    expect(plan.batches).toEqual([['@acme/api'], ['@acme/web']]);
    expect(plan.services.find((service) => service.name === '@acme/web')?.dependsOn).toEqual(['@acme/api']);
  });

  it('a dependency cycle is an error that prints the cycle', async () => {
    const repo = tempRepo(npmWorkspace({ libs: { a: ['b'], b: ['c'], c: ['a'] }, services: { svc: ['a'] } }));
    repo.commit();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^shipgraph: E_CYCLE: dependency cycle: (@acme\/\w) → (@acme\/\w) → (@acme\/\w) → \1 \(fix: /,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a workspace glob with a typo is a warning naming it and what it left out; one for folders to come is not', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { api: [] } }),
      'package.json': { name: 'acme', private: true, workspaces: ['servcies/*', 'libs/*'] },
    });
    repo.commit();
    const typo = await repo.run(['plan']);
    expect(typo.exitCode).toBe(0);
    expect(typo.stderr.split('\n')[0]).toBe(
      'shipgraph: warning: package.json "workspaces" glob "servcies/*" matches no folder with a package.json, and services/api/package.json is in no workspace (fix: correct the glob, or add the folders to it)',
    );
    repo.write({ 'package.json': { name: 'acme', private: true, workspaces: ['services/*', 'libs/*'] } });
    repo.commit('fix the glob');
    const fixed = await repo.run(['plan']);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toContain('1 of 1 services deploy');
  });

  it('two packages with one name are an error naming both directories', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { api: [] } }),
      'libs/copy/package.json': { name: '@acme/api' },
    });
    repo.commit();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'E_DUPLICATE_PACKAGE: two packages are named @acme/api: libs/copy and services/api',
    );
  });

  it('a package.json that is not JSON is an error naming the file', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { api: [] } }),
      'services/api/package.json': '{ "name": ',
    });
    repo.commit();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('E_WORKSPACE: services/api/package.json is not valid JSON');
  });
});

describe('plan: shipgraph.config.json', () => {
  const withConfig = (config: string | object) => {
    const repo = tempRepo({ ...npmWorkspace({ services: { api: [] } }), 'shipgraph.config.json': config });
    repo.commit();
    return repo;
  };

  it.each([
    ['not JSON', '{ "stages": ', 'E_CONFIG: shipgraph.config.json is not valid JSON'],
    [
      'an unknown key',
      { stagez: {} },
      'E_CONFIG: shipgraph.config.json is invalid: (top level): unknown property "stagez"',
    ],
    [
      'a wrong type',
      { stages: { prod: { regions: 'eu-west-1' } } },
      'E_CONFIG: shipgraph.config.json is invalid: /stages/prod/regions must be array',
    ],
    [
      'a bad region',
      { stages: { prod: { regions: ['moon-1'] } } },
      '/stages/prod/regions/0 must match pattern',
    ],
    [
      'an unknown backend',
      { state: { backend: 'floppy' } },
      '/state/backend must be one of "file", "dynamodb"',
    ],
    [
      'a DynamoDB backend without a table',
      { state: { backend: 'dynamodb' } },
      "E_CONFIG: shipgraph.config.json is invalid: /state must have required property 'table' (fix:",
    ],
    [
      'a command deployer without its command',
      { services: { '@acme/api': { deployer: { type: 'command' } } } },
      "/services/@acme~1api/deployer must have required property 'command'",
    ],
    [
      'a service that is not a package',
      { services: { '@acme/nope': {} } },
      'E_CONFIG: shipgraph.config.json: services."@acme/nope" is not a workspace package',
    ],
    [
      'a dependsOn that is not a package',
      { services: { '@acme/api': { dependsOn: ['@acme/gone'] } } },
      'services."@acme/api".dependsOn names "@acme/gone", which is not a workspace package',
    ],
  ])('rejects %s with one line and exit 2', async (_what, config, expected) => {
    const repo = withConfig(config);
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('custom inputs and global files replace the defaults', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { api: [], web: [] } }),
      'shipgraph.config.json': {
        globalFiles: ['.github/**'],
        inputs: { exclude: ['docs/**'] },
        services: { '@acme/web': { inputs: { include: ['src/**'], extra: ['shared/schema/*.json'] } } },
      },
    });
    await repo.mark(repo.commit());
    repo.write({ 'services/api/docs/a.txt': 'x\n', 'services/web/notes.txt': 'x\n' });
    repo.commit('outside the inputs');
    expect(deploying(await repo.plan())).toEqual([]);
    repo.write({ 'services/api/README.md': 'now counts\n', 'shared/schema/order.json': '{}\n' });
    repo.commit('inside the inputs');
    const plan = await repo.plan();
    expect(reasonsOf(plan, '@acme/api')).toEqual([{ kind: 'changed', files: ['services/api/README.md'] }]);
    expect(reasonsOf(plan, '@acme/web')).toEqual([{ kind: 'changed', files: ['shared/schema/order.json'] }]);
    repo.write({ '.github/workflows/ci.yml': 'on: push\n' });
    repo.commit('global');
    expect(deploying(await repo.plan())).toEqual(['@acme/api', '@acme/web']);
  });
});
