// A real Nx integrated workspace for tests: libraries that services reach only through tsconfig path aliases.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeadFile } from '@shipgraph/core';
import { tempRepo, type TestRepo } from './repo.js';

/** shipgraph's own node_modules, which has nx and @nx/js 23.2.1 (and typescript, which @nx/js needs). */
const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

const SERVICES = ['orders-api', 'billing', 'catalog'];

/** The files of the workspace; `withNx` links shipgraph's node_modules in so its nx can run. */
export function nxWorkspace({ withNx = true } = {}): TestRepo {
  const files: Record<string, string | object> = {
    // No trailing slash: the linked node_modules is a symlink, which `node_modules/` would not ignore.
    '.gitignore': '.shipgraph/\nnode_modules\n',
    'package.json': { name: 'acme', private: true },
    'nx.json': { plugins: ['@nx/js'], pluginsConfig: { '@nx/js': { analyzeSourceFiles: true } } },
    'tsconfig.base.json': {
      compilerOptions: {
        baseUrl: '.',
        paths: {
          '@acme/money': ['libs/money/src/index.ts'],
          '@acme/orders-domain': ['libs/orders-domain/src/index.ts'],
        },
      },
    },
    'libs/money/project.json': project('money', 'libs/money'),
    'libs/money/src/index.ts': 'export const cents = (amount: number): number => Math.round(amount * 100);\n',
    'libs/orders-domain/project.json': project('orders-domain', 'libs/orders-domain'),
    'libs/orders-domain/src/index.ts':
      "import { cents } from '@acme/money';\n\nexport const total = (amount: number): number => cents(amount);\n",
    'apps/orders-api/src/handler.ts':
      "import { total } from '@acme/orders-domain';\n\nexport const handler = async () => ({ statusCode: 200, body: `${total(1)}` });\n",
    'apps/billing/src/handler.ts':
      "import { cents } from '@acme/money';\n\nexport const handler = async () => ({ statusCode: 200, body: `${cents(1)}` });\n",
    'apps/catalog/src/handler.ts': 'export const handler = async () => ({ statusCode: 200 });\n',
  };
  for (const name of SERVICES) {
    files[`apps/${name}/project.json`] = project(name, `apps/${name}`);
    files[`apps/${name}/serverless.yml`] =
      `service: ${name}\nprovider:\n  name: aws\n  runtime: nodejs20.x\n`;
  }
  const repo = tempRepo(files);
  if (withNx) symlinkSync(NODE_MODULES, join(repo.dir, 'node_modules'), 'dir');
  repo.commit('nx workspace');
  return repo;
}

/** The files of HEAD with their blob ids, from the real `git ls-tree -r`. */
export function headFiles(repo: TestRepo): HeadFile[] {
  return repo
    .git('ls-tree', '-r', '-z', '--full-tree', 'HEAD')
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => {
      // <mode> SP <type> SP <oid> TAB <path>
      const [meta = '', path = ''] = entry.split('\t');
      return { path, oid: meta.split(' ')[2] ?? '' };
    });
}

function project(name: string, root: string): object {
  return {
    name,
    root,
    sourceRoot: `${root}/src`,
    projectType: root.startsWith('apps/') ? 'application' : 'library',
  };
}
