// What a service's files refer to outside its folder counts for what it means, not for any string
// that climbs out of a folder: a hoisted node_modules folder, the root lockfile, a folder a script
// writes into, a shared tsconfig a service's tsconfig extends. And pnpm 7's lockfiles are read.
import { describe, expect, it } from 'vitest';
import { pnpmV5Lock, type Locked, type PnpmWorkspace } from '../../../tools/bench/lockfiles.mjs';
import { INSTALLED, npmDependencyWorkspace, packageLock } from './helpers/npm-lock.js';
import { deploying, reasonsOf, tempRepo, type TestRepo } from './helpers/repo.js';

/** serverless.yml of a service bundled by serverless-webpack from the hoisted node_modules, as many monorepos do. */
const webpackService = (name: string, extra = ''): string =>
  [
    `service: ${name}`,
    "frameworkVersion: '3'",
    'plugins:',
    '  - serverless-webpack',
    'provider:',
    '  name: aws',
    '  runtime: nodejs18.x',
    'custom:',
    '  webpack:',
    '    webpackConfig: ./webpack.config.js',
    '    packager: npm',
    '    includeModules:',
    "      nodeModulesRelativeDir: '../../'",
    extra,
    'functions:',
    '  main:',
    '    handler: src/handler.main',
    '    events:',
    `      - httpApi: 'GET /${name}'`,
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');

const WEBPACK_CONFIG = [
  "const path = require('path');",
  "const slsw = require('serverless-webpack');",
  "const nodeExternals = require('webpack-node-externals');",
  '',
  'module.exports = {',
  '  entry: slsw.lib.entries,',
  "  target: 'node',",
  "  mode: slsw.lib.webpack.isLocal ? 'development' : 'production',",
  "  externals: [nodeExternals({ modulesDir: path.resolve(__dirname, '../../node_modules') })],",
  "  resolve: { extensions: ['.ts', '.js'] },",
  "  module: { rules: [{ test: /\\.ts$/, loader: 'ts-loader', exclude: /node_modules/ }] },",
  "  output: { libraryTarget: 'commonjs2', path: path.join(__dirname, '.webpack'), filename: '[name].js' },",
  '};',
  '',
].join('\n');

const handler = (body: string): string =>
  `export const main = async () => ({ statusCode: 200, body: '${body}' });\n`;

/** Commits `files` as a change after everything was deployed at the first commit. */
async function afterDeploy(repo: TestRepo, files: Record<string, string | object>): Promise<TestRepo> {
  await repo.mark(repo.commit('initial'));
  repo.write(files);
  repo.commit('change');
  return repo;
}

describe('a hoisted node_modules folder (serverless-webpack nodeModulesRelativeDir)', () => {
  const services = ['orders', 'payments', 'users'];
  const hoistedRepo = (): TestRepo => {
    const files: Record<string, string | object> = {
      'package.json': {
        name: 'shop',
        private: true,
        workspaces: ['services/*'],
        devDependencies: {
          serverless: '^3.38.0',
          'serverless-webpack': '^5.13.0',
          'ts-loader': '^9.5.1',
          typescript: '^5.4.5',
          webpack: '^5.91.0',
          'webpack-node-externals': '^3.0.0',
        },
      },
      '.github/workflows/deploy.yml': 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n',
    };
    for (const name of services) {
      files[`services/${name}/package.json`] = { name: `@shop/${name}`, private: true };
      files[`services/${name}/serverless.yml`] = webpackService(name);
      files[`services/${name}/webpack.config.js`] = WEBPACK_CONFIG;
      files[`services/${name}/src/handler.ts`] = handler(name);
    }
    return tempRepo(files);
  };

  it('a change to one service deploys that service only', async () => {
    const repo = await afterDeploy(hoistedRepo(), { 'services/orders/src/handler.ts': handler('orders v2') });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@shop/orders']);
    expect(reasonsOf(plan, '@shop/orders')).toEqual([
      { kind: 'changed', files: ['services/orders/src/handler.ts'] },
    ]);
  });

  it('a change to a root file no service ships deploys nothing, and --explain says why', async () => {
    const repo = await afterDeploy(hoistedRepo(), {
      '.github/workflows/deploy.yml': 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n',
    });
    expect(deploying(await repo.plan())).toEqual([]);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stdout).toContain(
      '    not followed: serverless.yml custom.webpack.includeModules.nodeModulesRelativeDir ../../ (the repository root)',
    );
  });
});

describe('the root lockfile (packagerOptions.lockFile, includeModules.packageLockPath)', () => {
  const lockfileRepo = (): TestRepo =>
    tempRepo({
      ...npmDependencyWorkspace(),
      'services/api/serverless.yml': webpackService(
        'api',
        ['    packagerOptions:', '      lockFile: ../../package-lock.json'].join('\n'),
      ),
      'services/api/webpack.config.js': WEBPACK_CONFIG,
      'services/api/src/handler.ts': handler('api'),
      'services/web/serverless.yml': webpackService(
        'web',
        "      packageLockPath: '../../package-lock.json'",
      ),
      'services/web/webpack.config.js': WEBPACK_CONFIG,
      'services/web/src/handler.ts': handler('web'),
    });

  it("a bump of one service's dependency deploys that service only, through its resolved dependencies", async () => {
    const repo = await afterDeploy(lockfileRepo(), {
      'package-lock.json': packageLock({ ...INSTALLED, ms: '2.1.4' }),
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['api']);
    expect(reasonsOf(plan, 'api')).toEqual([
      {
        kind: 'changed',
        files: ['package-lock.json'],
        via: 'serverless.yml custom.webpack.packagerOptions.lockFile ../../package-lock.json → resolved dependencies',
        detail: 'external dependencies changed: ms',
      },
    ]);
  });

  it('the lockfile named by includeModules.packageLockPath means the same: a bump deploys the service that resolves it', async () => {
    const repo = await afterDeploy(lockfileRepo(), {
      'package-lock.json': packageLock({ ...INSTALLED, leftPad: '1.3.1' }),
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['web']);
    expect(reasonsOf(plan, 'web')).toEqual([
      {
        kind: 'changed',
        files: ['package-lock.json'],
        via: 'serverless.yml custom.webpack.includeModules.packageLockPath ../../package-lock.json → resolved dependencies',
        detail: 'external dependencies changed: left-pad',
      },
    ]);
  });
});

describe('a script that writes into another package (serverless-stack-output)', () => {
  const services = ['api', 'auth', 'uploads'];
  const STACK_OUTPUT = [
    "const fs = require('fs');",
    "const path = require('path');",
    '',
    "// Writes the stack's outputs into the frontend's .env file, where the React app reads them.",
    'function handler(data, serverless, options) {',
    '  const file = `.env.${options.stage}`;',
    '  const lines = Object.entries(data).map(([key, value]) => `REACT_APP_${key}=${value}`);',
    "  fs.writeFileSync(path.join(__dirname, '../frontend', file), lines.join('\\n') + '\\n');",
    '}',
    '',
    'module.exports = { handler };',
    '',
  ].join('\n');
  const outputRepo = (config?: object): TestRepo => {
    const files: Record<string, string | object> = {
      'package.json': {
        name: 'notes',
        private: true,
        workspaces: ['services/*', 'frontend'],
        devDependencies: { serverless: '^3.38.0', 'serverless-stack-output': '^0.2.3' },
      },
      'scripts/stackOutput.js': STACK_OUTPUT,
      'frontend/package.json': {
        name: '@notes/frontend',
        private: true,
        scripts: { test: 'react-scripts test' },
      },
      'frontend/src/App.tsx': 'export const App = () => null;\n',
      'frontend/src/setupTests.ts': "import '@testing-library/jest-dom';\n",
      ...(config === undefined ? {} : { 'shipgraph.config.json': config }),
    };
    for (const name of services) {
      files[`services/${name}/package.json`] = { name: `@notes/${name}`, private: true };
      files[`services/${name}/serverless.yml`] = [
        `service: notes-${name}`,
        "frameworkVersion: '3'",
        'plugins:',
        '  - serverless-stack-output',
        'provider:',
        '  name: aws',
        '  runtime: nodejs18.x',
        'custom:',
        '  output:',
        '    handler: ../../scripts/stackOutput.handler',
        '    file: ../../frontend/src/stack.json',
        'functions:',
        '  main:',
        '    handler: handler.main',
        '',
      ].join('\n');
      files[`services/${name}/handler.js`] = `module.exports.main = async () => ({ statusCode: 200 });\n`;
    }
    return tempRepo(files);
  };

  it("a change to the frontend's test setup deploys no service", async () => {
    const repo = await afterDeploy(outputRepo(), {
      'frontend/src/setupTests.ts': "import '@testing-library/jest-dom';\nimport 'whatwg-fetch';\n",
    });
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('a change to the output script deploys every service that runs it, naming the reference', async () => {
    const repo = await afterDeploy(outputRepo(), {
      'scripts/stackOutput.js': STACK_OUTPUT.replace('REACT_APP_', 'VITE_'),
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@notes/api', '@notes/auth', '@notes/uploads']);
    expect(reasonsOf(plan, '@notes/api')).toEqual([
      {
        kind: 'changed',
        files: ['scripts/stackOutput.js'],
        via: 'serverless.yml custom.output.handler ../../scripts/stackOutput.handler',
      },
    ]);
  });

  it('inputs.ignoreReferences drops a reference for one service, and --explain says so', async () => {
    const config = {
      services: { '@notes/api': { inputs: { ignoreReferences: ['../../scripts/stackOutput.js'] } } },
    };
    const repo = await afterDeploy(outputRepo(config), {
      'scripts/stackOutput.js': STACK_OUTPUT.replace('REACT_APP_', 'VITE_'),
    });
    expect(deploying(await repo.plan())).toEqual(['@notes/auth', '@notes/uploads']);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stdout).toContain(
      '    ignored: serverless.yml custom.output.handler ../../scripts/stackOutput.handler (inputs.ignoreReferences ../../scripts/stackOutput.js)',
    );
  });
});

describe('pnpm 7 lockfiles (lockfileVersion 5.3 and 5.4)', () => {
  const locked = (ms: string): Locked[] => [
    { name: 'ms', ranges: ['^2.1.0'], version: ms },
    { name: 'left-pad', ranges: ['^1.3.0'], version: '1.3.0' },
    { name: 'typescript', ranges: ['^5.4.0'], version: '5.4.5' },
  ];
  const workspaces: PnpmWorkspace[] = [
    { dir: '', name: 'shop', devDependencies: { typescript: '^5.4.0' } },
    { dir: 'libs/util', name: '@shop/util', dependencies: { ms: '^2.1.0' } },
    { dir: 'services/api', name: '@shop/api', dependencies: { '@shop/util': 'workspace:*' } },
    { dir: 'services/web', name: '@shop/web', dependencies: { 'left-pad': '^1.3.0' } },
  ];
  const pnpmRepo = (lock: string): TestRepo => {
    const files: Record<string, string | object> = {
      'package.json': {
        name: 'shop',
        private: true,
        packageManager: 'pnpm@7.33.7',
        devDependencies: { typescript: '^5.4.0' },
      },
      'pnpm-workspace.yaml': "packages:\n  - 'libs/*'\n  - 'services/*'\n",
      'pnpm-lock.yaml': lock,
    };
    for (const workspace of workspaces.filter((entry) => entry.dir !== '')) {
      files[`${workspace.dir}/package.json`] = {
        name: workspace.name,
        version: '1.0.0',
        dependencies: workspace.dependencies,
      };
      files[`${workspace.dir}/src/index.ts`] = `export const name = '${workspace.name}';\n`;
      if (workspace.dir.startsWith('services/'))
        files[`${workspace.dir}/serverless.yml`] =
          `service: ${workspace.dir.slice('services/'.length)}\nprovider:\n  name: aws\n  runtime: nodejs18.x\n`;
    }
    return tempRepo(files);
  };

  it.each(['5.3', '5.4'])(
    'lockfileVersion %s: a bump deploys only the services that resolve the bumped package',
    async (version) => {
      const repo = await afterDeploy(pnpmRepo(pnpmV5Lock(workspaces, locked('2.1.2'), { version })), {
        'pnpm-lock.yaml': pnpmV5Lock(workspaces, locked('2.1.3'), { version }),
      });
      const plan = await repo.plan();
      expect(deploying(plan)).toEqual(['@shop/api']);
      expect(reasonsOf(plan, '@shop/api')).toEqual([{ kind: 'dependency', via: '@shop/util' }]);
    },
  );

  it('an unknown future version deploys every service, naming the version', async () => {
    const future = (ms: string): string =>
      pnpmV5Lock(workspaces, locked(ms)).replace('lockfileVersion: 5.4', "lockfileVersion: '10.0'");
    const repo = await afterDeploy(pnpmRepo(future('2.1.2')), { 'pnpm-lock.yaml': future('2.1.3') });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@shop/api', '@shop/web']);
    expect(reasonsOf(plan, '@shop/web')).toEqual([
      {
        kind: 'global',
        files: ['pnpm-lock.yaml'],
        detail:
          'could not tell which packages the lockfile change affects (pnpm-lock.yaml: lockfileVersion 10.0 is not supported (need 5.x, 6 or 9))',
      },
    ]);
  });
});

describe('a shared tsconfig that every service’s tsconfig extends', () => {
  const services = ['catalog', 'checkout', 'search'];
  const tsconfigRepo = (): TestRepo => {
    const files: Record<string, string | object> = {
      'package.json': {
        name: 'store',
        private: true,
        workspaces: ['services/*'],
        devDependencies: { serverless: '^3.38.0', 'serverless-esbuild': '^1.52.1', typescript: '^5.4.5' },
      },
      'config/tsconfig.node18.json': {
        $schema: 'https://json.schemastore.org/tsconfig',
        compilerOptions: { lib: ['es2022'], module: 'commonjs', target: 'es2022', strict: true },
      },
      'services/tsconfig.json': [
        '{',
        '  // Shared by every service: ts-loader, esbuild and the IDE compile with it.',
        '  "extends": "../config/tsconfig.node18.json",',
        '  "compilerOptions": {',
        '    "sourceMap": true,',
        '    "esModuleInterop": true,',
        '  },',
        '}',
        '',
      ].join('\n'),
    };
    for (const name of services) {
      files[`services/${name}/package.json`] = { name: `@store/${name}`, private: true };
      files[`services/${name}/tsconfig.json`] = {
        extends: '../tsconfig.json',
        compilerOptions: { outDir: '.build' },
        include: ['src/**/*.ts'],
      };
      files[`services/${name}/serverless.yml`] = [
        `service: store-${name}`,
        "frameworkVersion: '3'",
        'plugins:',
        '  - serverless-esbuild',
        'provider:',
        '  name: aws',
        '  runtime: nodejs18.x',
        'custom:',
        '  esbuild:',
        '    bundle: true',
        '    tsconfig: tsconfig.json',
        'functions:',
        '  main:',
        '    handler: src/handler.main',
        '',
      ].join('\n');
      files[`services/${name}/src/handler.ts`] = handler(name);
    }
    return tempRepo(files);
  };

  it('a change to the shared tsconfig deploys every service that extends it', async () => {
    const repo = await afterDeploy(tsconfigRepo(), {
      'services/tsconfig.json':
        '{\n  "extends": "../config/tsconfig.node18.json",\n  "compilerOptions": { "sourceMap": false }\n}\n',
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@store/catalog', '@store/checkout', '@store/search']);
    expect(reasonsOf(plan, '@store/checkout')).toEqual([
      { kind: 'changed', files: ['services/tsconfig.json'], via: 'tsconfig.json extends ../tsconfig.json' },
    ]);
  });

  it('a change to the config the shared tsconfig extends in turn deploys them too, with the whole chain', async () => {
    const repo = await afterDeploy(tsconfigRepo(), {
      'config/tsconfig.node18.json': {
        compilerOptions: { lib: ['es2023'], module: 'commonjs', target: 'es2023' },
      },
    });
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@store/catalog', '@store/checkout', '@store/search']);
    expect(reasonsOf(plan, '@store/search')).toEqual([
      {
        kind: 'changed',
        files: ['config/tsconfig.node18.json'],
        via: 'tsconfig.json extends ../tsconfig.json → services/tsconfig.json extends ../config/tsconfig.node18.json',
      },
    ]);
  });
});
