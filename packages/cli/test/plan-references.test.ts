// Services that reach shared code without declaring it: `${file(...)}` in serverless.yml, relative
// imports out of the package, a root serverless.base.ts. The files they reach are their inputs.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, shallowClone, tempRepo, type TestRepo } from './helpers/repo.js';

/** A repository laid out as many serverless teams do: shared code in plain folders, not packages. */
function sharedCodeRepo(): TestRepo {
  return tempRepo({
    'package.json': {
      name: 'acme',
      private: true,
      workspaces: ['services/*', 'packages/*'],
      devDependencies: { serverless: '^3.38.0', 'serverless-esbuild': '^1.50.0' },
    },
    'serverless.base.ts': [
      "import { stages } from './config/stages';",
      '',
      'export const base = {',
      "  frameworkVersion: '3',",
      "  provider: { name: 'aws', runtime: 'nodejs20.x', stage: stages.default },",
      '};',
      '',
    ].join('\n'),
    'config/stages.ts': "export const stages = { default: 'dev' };\n",
    'common/env.yml': 'dev:\n  TABLE: orders-dev\nprod:\n  TABLE: orders-prod\n',
    'common/README.md': '# Shared code\n',
    'common/src/db.ts': "import { pool } from './pool';\n\nexport const db = { pool };\n",
    'common/src/pool.ts': 'export const pool = { size: 4 };\n',
    'scripts/seed.ts': "import { db } from '../common/src/db';\n\nvoid db;\n",
    'services/orders/package.json': { name: '@acme/orders', private: true },
    'services/orders/serverless.yml': [
      'service: orders',
      "frameworkVersion: '3'",
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  environment: ${file(../../common/env.yml):${sls:stage}}',
      'functions:',
      '  create:',
      '    handler: src/handler.create',
      '',
    ].join('\n'),
    'services/orders/src/handler.ts': [
      "import { db } from '../../../common/src/db';",
      '',
      'export const create = async () => ({ statusCode: 201, body: JSON.stringify(db.pool) });',
      '',
    ].join('\n'),
    'services/orders/src/handler.test.ts': "import '../../../scripts/seed';\n",
    'services/users/package.json': { name: '@acme/users', private: true },
    'services/users/serverless.ts': [
      "import { base } from '../../serverless.base';",
      '',
      "export default { ...base, service: 'users', functions: { get: { handler: 'src/handler.get' } } };",
      '',
    ].join('\n'),
    'services/users/src/handler.ts': [
      "import type { User } from '../../../packages/types/src/user';",
      '',
      'export const get = async (): Promise<User> => ({ id: 1 });',
      '',
    ].join('\n'),
    'services/billing/package.json': { name: '@acme/billing', private: true },
    'services/billing/serverless.yml':
      'service: billing\nprovider:\n  name: aws\nfunctions:\n  pay:\n    handler: src/pay.main\n',
    'services/billing/src/pay.ts': 'export const main = async () => ({ statusCode: 200 });\n',
    'packages/types/package.json': { name: '@acme/types', version: '1.0.0' },
    'packages/types/src/user.ts': 'export interface User { id: number }\n',
  });
}

async function deployed(): Promise<TestRepo> {
  const repo = sharedCodeRepo();
  repo.commit('initial');
  repo.write({ 'services/billing/src/pay.ts': 'export const main = async () => ({ statusCode: 202 });\n' });
  await repo.mark(repo.commit('billing: accept'));
  return repo;
}

const changing = async (files: Record<string, string>): Promise<TestRepo> => {
  const repo = await deployed();
  repo.write(files);
  repo.commit('change shared code');
  return repo;
};

describe('plan: files a service refers to outside its folder', () => {
  it('a file named in serverless.yml ${file(...)} is the service’s input', async () => {
    const repo = await changing({
      'common/env.yml': 'dev:\n  TABLE: orders-dev-2\nprod:\n  TABLE: orders-prod\n',
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      {
        kind: 'changed',
        files: ['common/env.yml'],
        via: 'serverless.yml provider.environment ${file(../../common/env.yml)}',
      },
    ]);
  });

  it('a relatively imported file, and what it imports in turn, are the importing service’s inputs', async () => {
    const repo = await changing({ 'common/src/pool.ts': 'export const pool = { size: 8 };\n' });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      {
        kind: 'changed',
        files: ['common/src/pool.ts'],
        via: "src/handler.ts import '../../../common/src/db' → common/src/db.ts import './pool'",
      },
    ]);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stdout).toContain(
      "    changed: common/src/pool.ts (via src/handler.ts import '../../../common/src/db' → common/src/db.ts import './pool')",
    );
  });

  it('a root serverless.base.ts imported by serverless.ts, and its own imports, reach the service', async () => {
    const repo = await changing({ 'config/stages.ts': "export const stages = { default: 'staging' };\n" });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/users']);
    expect(reasonsOf(plan, '@acme/users')).toEqual([
      {
        kind: 'changed',
        files: ['config/stages.ts'],
        via: "serverless.ts import '../../serverless.base' → serverless.base.ts import './config/stages'",
      },
    ]);
  });

  it('a package reached by a relative import is a dependency, named with the import', async () => {
    const repo = await changing({
      'packages/types/src/user.ts': 'export interface User { id: number; name: string }\n',
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/users']);
    expect(reasonsOf(plan, '@acme/users')).toEqual([
      {
        kind: 'dependency',
        via: '@acme/types',
        detail: "referred to by src/handler.ts import '../../../packages/types/src/user'",
      },
    ]);
  });

  it('shared files nobody’s input refers to, docs, and what only tests import deploy nothing', async () => {
    const repo = await changing({
      'common/README.md': '# Shared code\n\nUse it.\n',
      'scripts/seed.ts': "import { db } from '../common/src/db';\n\nconsole.log(db);\n",
    });
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('a depth-1 clone (no recorded commit to diff) still sees a referenced file change by its fingerprint', async () => {
    const repo = await changing({ 'common/env.yml': 'dev:\n  TABLE: orders-dev-3\n' });
    const clone = shallowClone(repo);
    repo.copyStateTo(clone);
    const plan = await clone.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')[0]).toMatchObject({ kind: 'base-unreachable' });
  });
});
