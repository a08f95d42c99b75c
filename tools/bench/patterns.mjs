#!/usr/bin/env node
// Generates a serverless monorepo written the way real ones are (pnpm 7 workspace, serverless-webpack
// and serverless-esbuild services) with the patterns where following every `../` goes wrong, and a
// history whose commits each touch one of them; with, for every commit, the services that truly
// need a deploy, worked out from what the generator wrote, not by reading the files.
//
//   node tools/bench/patterns.mjs --out DIR [--services 16] [--libs 4] [--commits 45] [--seed 1] [--json]
//
// The patterns: webpack's hoisted `nodeModulesRelativeDir: '../../'`, `packagerOptions.lockFile`
// naming the root pnpm-lock.yaml (lockfileVersion 5.4), serverless-stack-output running a root
// script that writes into the frontend package, every service's tsconfig extending a shared
// services/tsconfig.json that extends config/tsconfig.node18.json; and the references that do reach
// an artifact: a `${file()}` env file, a handler in a shared folder, relative imports of shared code,
// a `package.patterns` glob, a webpack entry naming a shared file.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomFrom } from './generate.mjs';
import { writeHistory } from './history.mjs';
import { pnpmV5Lock } from './lockfiles.mjs';

const SCOPE = '@acme';
const json = (value) => JSON.stringify(value, null, 2) + '\n';
const pad = (i) => String(i).padStart(2, '0');

/** External packages: name → what it depends on. The root's tooling and the frontend's are among them. */
const EXTERNALS = {
  uuid: [],
  ms: [],
  zod: [],
  dayjs: [],
  'p-limit': ['yocto-queue'],
  'yocto-queue': [],
  semver: ['lru-cache'],
  'lru-cache': [],
  jsonwebtoken: ['ms', 'semver'],
  '@middy/core': [],
  pino: ['sonic-boom'],
  'sonic-boom': [],
  react: [],
  'react-dom': ['react', 'scheduler'],
  scheduler: [],
  serverless: ['chalk'],
  chalk: [],
  webpack: ['tapable'],
  tapable: [],
  esbuild: [],
  typescript: [],
};
const SERVICE_EXTERNALS = ['uuid', 'ms', 'zod', 'dayjs', 'p-limit', 'jsonwebtoken', '@middy/core', 'pino'];
const FRONTEND_EXTERNALS = ['react', 'react-dom'];
/** What every deploy runs with: the root's devDependencies. */
export const TOOLING = ['serverless', 'webpack', 'esbuild', 'typescript'];

/**
 * The files outside every package that each feature makes a service's deploy read: what it ships
 * (bundled or copied), compiles with, or runs. `assets` is every file under shared/assets/.
 */
const READS = {
  tsconfig: ['services/tsconfig.json', 'config/tsconfig.node18.json'],
  envFile: ['shared/env.yml'],
  sharedHandler: ['shared/handlers/health.ts', 'shared/handlers/respond.ts'],
  db: ['shared/src/db.ts', 'shared/src/pool.ts'],
  warmupEntry: ['shared/warmup/index.ts'],
  stackOutput: ['scripts/stackOutput.js'],
};
const FEATURES = ['envFile', 'sharedHandler', 'db', 'assets', 'warmupEntry', 'lockfileRef', 'stackOutput'];

/** The kinds of commit, in the order the history cycles through them; each touches one thing. */
export const COMMIT_KINDS = [
  'service',
  'env-file',
  'shared-handler',
  'shared-import',
  'assets',
  'webpack-entry',
  'tsconfig',
  'tsconfig-base',
  'lockfile',
  'stack-output',
  'frontend',
  'root-file',
  'lib',
  'docs-tests',
  'seed-script',
];

/**
 * Writes the monorepo into `out` (created; must be empty) and returns its packages (services with
 * the files outside the packages their deploy reads) and its commits, oldest first, each with the
 * services that need a deploy (`needed`).
 */
export function generatePatternsMonorepo({ out, services = 16, libs = 4, commits = 45, seed = 1 }) {
  if (!out) throw new Error('generatePatternsMonorepo: `out` is required');
  if (!(services >= FEATURES.length + 1 && libs >= 1 && commits >= 0))
    throw new Error(`generatePatternsMonorepo: need at least ${FEATURES.length + 1} services and 1 lib`);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new Error(`refusing to write into non-empty ${out}`);
  const dir = resolve(out);
  const random = randomFrom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const some = (list, max) =>
    [...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(list)))].sort();

  const versions = Object.fromEntries(Object.keys(EXTERNALS).map((name) => [name, 0]));
  const files = new Map();
  const libNames = Array.from({ length: libs }, (_, i) => `lib-${pad(i)}`);
  const packages = [];
  for (const [i, lib] of libNames.entries()) {
    const externals = some(SERVICE_EXTERNALS, 2);
    // The first library imports shared code: its dependents read it through it.
    const reads = i === 0 ? ['shared/src/pool.ts'] : [];
    packages.push({ name: `${SCOPE}/${lib}`, dir: `libs/${lib}`, kind: 'lib', deps: [], externals, reads });
    files.set(
      `libs/${lib}/package.json`,
      json({
        name: `${SCOPE}/${lib}`,
        version: '1.0.0',
        main: 'src/index.ts',
        dependencies: ranges(externals),
      }),
    );
    files.set(
      `libs/${lib}/src/index.ts`,
      i === 0
        ? "import { pool } from '../../../shared/src/pool';\n\nexport const connect = () => pool;\n"
        : `export const ${lib.replace('-', '')} = '${lib}';\n`,
    );
    files.set(`libs/${lib}/src/index.test.ts`, `// tests for ${lib}\n`);
    files.set(`libs/${lib}/README.md`, `# ${lib}\n`);
  }
  for (let i = 0; i < services; i++) {
    const name = `svc-${pad(i)}`;
    const bundler = i % 2 === 0 ? 'webpack' : 'esbuild';
    // Service i < 7 has feature i (so that each is used), the others each with even odds; the
    // webpack entry only for webpack services.
    const features = new Set(
      FEATURES.filter((feature, f) => i === f || (i >= FEATURES.length && random() < 0.5)),
    );
    if (bundler !== 'webpack') features.delete('warmupEntry');
    const deps = some(libNames, 2).map((lib) => `${SCOPE}/${lib}`);
    const externals = some(SERVICE_EXTERNALS, 3);
    const reads = [...READS.tsconfig, ...[...features].flatMap((feature) => READS[feature] ?? [])];
    packages.push({
      name: `${SCOPE}/${name}`,
      dir: `services/${name}`,
      kind: 'service',
      deps,
      externals,
      reads,
      assets: features.has('assets'),
    });
    const at = `services/${name}`;
    files.set(
      `${at}/package.json`,
      json({
        name: `${SCOPE}/${name}`,
        version: '1.0.0',
        private: true,
        scripts: { deploy: 'serverless deploy' },
        dependencies: {
          ...Object.fromEntries(deps.map((dep) => [dep, 'workspace:*'])),
          ...ranges(externals),
        },
      }),
    );
    files.set(`${at}/serverless.yml`, serverlessYml(name, bundler, features));
    files.set(
      `${at}/tsconfig.json`,
      json({ extends: '../tsconfig.json', compilerOptions: { outDir: '.build' }, include: ['src'] }),
    );
    if (bundler === 'webpack')
      files.set(`${at}/webpack.config.js`, webpackConfig(features.has('warmupEntry')));
    files.set(`${at}/src/handler.ts`, handlerSource(name, deps, features.has('db')));
    files.set(
      `${at}/src/handler.test.ts`,
      `import { main } from './handler';\n\ntest('${name}', async () => expect(await main()).toBeTruthy());\n`,
    );
    files.set(`${at}/README.md`, `# ${name}\n`);
  }
  const frontend = {
    name: `${SCOPE}/frontend`,
    dir: 'frontend',
    kind: 'app',
    deps: [],
    externals: FRONTEND_EXTERNALS,
    reads: [],
  };
  packages.push(frontend);
  files.set(
    'frontend/package.json',
    json({
      name: frontend.name,
      private: true,
      scripts: { test: 'vitest' },
      dependencies: ranges(FRONTEND_EXTERNALS),
    }),
  );
  files.set('frontend/src/App.tsx', 'export const App = () => <main>notes</main>;\n');
  files.set('frontend/src/setupTests.ts', "import '@testing-library/jest-dom';\n");

  const rootManifest = {
    name: 'acme',
    private: true,
    packageManager: 'pnpm@7.33.7',
    scripts: { deploy: 'shipgraph deploy' },
    devDependencies: ranges(TOOLING),
  };
  files.set('package.json', json(rootManifest));
  files.set('pnpm-workspace.yaml', "packages:\n  - 'services/*'\n  - 'libs/*'\n  - 'frontend'\n");
  files.set('.gitignore', 'node_modules\n.webpack\n.esbuild\n.shipgraph\nfrontend/src/stack-output.json\n');
  files.set('README.md', '# acme\n\nServices, libraries and the frontend.\n');
  files.set(
    '.github/workflows/deploy.yml',
    'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pnpm install\n',
  );
  files.set(
    'config/tsconfig.node18.json',
    json({ compilerOptions: { target: 'es2022', module: 'commonjs', lib: ['es2022'], strict: true } }),
  );
  files.set(
    'services/tsconfig.json',
    '{\n  // Every service compiles with this: ts-loader, esbuild and the editor.\n  "extends": "../config/tsconfig.node18.json",\n  "compilerOptions": { "sourceMap": true, "esModuleInterop": true }\n}\n',
  );
  files.set('shared/README.md', '# Shared code\n');
  files.set('shared/env.yml', 'dev:\n  LOG_LEVEL: debug\nprod:\n  LOG_LEVEL: info\n');
  files.set(
    'shared/handlers/health.ts',
    "import { respond } from './respond';\n\nexport const main = async () => respond(200, { ok: true });\n",
  );
  files.set(
    'shared/handlers/respond.ts',
    'export const respond = (statusCode: number, body: unknown) => ({ statusCode, body: JSON.stringify(body) });\n',
  );
  files.set(
    'shared/src/db.ts',
    "import { pool } from './pool';\n\nexport const db = { query: async (sql: string) => pool.run(sql) };\n",
  );
  files.set('shared/src/pool.ts', 'export const pool = { size: 4, run: async (sql: string) => sql };\n');
  files.set('shared/warmup/index.ts', 'export const warmup = async () => ({ warm: true });\n');
  files.set('shared/assets/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  files.set('shared/assets/i18n/en.json', json({ hello: 'Hello' }));
  files.set('scripts/stackOutput.js', STACK_OUTPUT);
  files.set(
    'scripts/seed.ts',
    "import { db } from '../shared/src/db';\n\nvoid db.query('insert into notes values (1)');\n",
  );

  const lockfile = () => {
    const locked = Object.entries(EXTERNALS).map(([name, deps]) => ({
      name,
      ranges: ['^1.0.0'],
      version: `1.0.${versions[name]}`,
      dependencies: Object.fromEntries(deps.map((dep) => [dep, '^1.0.0'])),
    }));
    const workspaces = [
      { dir: '', name: 'acme', devDependencies: rootManifest.devDependencies },
      ...packages.map((pkg) => ({
        dir: pkg.dir,
        name: pkg.name,
        dependencies: {
          ...Object.fromEntries(pkg.deps.map((dep) => [dep, 'workspace:*'])),
          ...ranges(pkg.externals),
        },
      })),
    ];
    return pnpmV5Lock(workspaces, locked, { version: '5.4' });
  };
  files.set('pnpm-lock.yaml', lockfile());

  const written = [
    { message: 'initial', files: [...files.keys()].sort().map((path) => [path, files.get(path)]) },
  ];
  const history = [{ message: 'initial', kind: 'initial', files: [...files.keys()].sort(), bumped: [] }];
  const serviceList = packages.filter((pkg) => pkg.kind === 'service');
  const edit = (path, text) => {
    files.set(path, text);
    return path;
  };
  const append = (path, line) => edit(path, (files.get(path) ?? '') + line);
  for (let c = 1; c <= commits; c++) {
    const kind = COMMIT_KINDS[(c - 1) % COMMIT_KINDS.length];
    const bumped = [];
    const change = {
      service: () => append(`${pick(serviceList).dir}/src/handler.ts`, `// revision ${c}\n`),
      lib: () => append(`libs/${pick(libNames)}/src/index.ts`, `// revision ${c}\n`),
      'env-file': () => append('shared/env.yml', `# revision ${c}\n`),
      'shared-handler': () => append('shared/handlers/respond.ts', `// revision ${c}\n`),
      'shared-import': () => append(pick(['shared/src/db.ts', 'shared/src/pool.ts']), `// revision ${c}\n`),
      // A new asset as often as a changed one: the glob takes in files added after it was written.
      assets: () =>
        random() < 0.5
          ? append('shared/assets/i18n/en.json', ' ')
          : edit(`shared/assets/i18n/lang-${c}.json`, json({ hello: `hello ${c}` })),
      'webpack-entry': () => append('shared/warmup/index.ts', `// revision ${c}\n`),
      tsconfig: () =>
        edit(
          'services/tsconfig.json',
          files
            .get('services/tsconfig.json')
            .replace(
              /"sourceMap": (true|false)/,
              (_, on) => `"sourceMap": ${on === 'true' ? 'false' : 'true'}`,
            ),
        ),
      'tsconfig-base': () => append('config/tsconfig.node18.json', ' '),
      'stack-output': () => append('scripts/stackOutput.js', `// revision ${c}\n`),
      frontend: () =>
        append(pick(['frontend/src/setupTests.ts', 'frontend/src/App.tsx']), `// revision ${c}\n`),
      'root-file': () => append(pick(['.github/workflows/deploy.yml', 'README.md']), `# revision ${c}\n`),
      'docs-tests': () =>
        append(
          pick([
            `${pick(serviceList).dir}/README.md`,
            `${pick(serviceList).dir}/src/handler.test.ts`,
            'shared/README.md',
          ]),
          `\n// revision ${c}\n`,
        ),
      'seed-script': () => append('scripts/seed.ts', `// revision ${c}\n`),
      // A lockfile-only bump, as renovate makes them: a service's dependency, the frontend's, or (rarely) the tooling's.
      lockfile: () => {
        const draw = random();
        const target =
          draw < 0.15 ? pick(TOOLING) : draw < 0.35 ? pick(FRONTEND_EXTERNALS) : pick(SERVICE_EXTERNALS);
        versions[target]++;
        bumped.push(target);
        return edit('pnpm-lock.yaml', lockfile());
      },
    }[kind];
    const paths = [change()];
    written.push({ message: `${kind} ${c}`, files: paths.map((path) => [path, files.get(path)]) });
    history.push({ message: `${kind} ${c}`, kind, files: paths, bumped });
  }
  const shas = writeHistory(dir, written);
  const repo = { dir, packages, externals: EXTERNALS };
  return {
    ...repo,
    commits: history.map((commit, i) => ({
      ...commit,
      sha: shas[i],
      parent: i === 0 ? null : shas[i - 1],
      needed: i === 0 ? null : servicesNeeding(repo, commit.files, commit.bumped),
    })),
  };
}

/** The ranges a package.json lists for external packages. */
const ranges = (names) => Object.fromEntries([...names].sort().map((name) => [name, '^1.0.0']));

const isDocOrTest = (path) => /\.md$|\.test\.[^/]*$/.test(path);

/**
 * The services whose deploy the changed files (and lockfile bumps) reach: a changed file of the
 * service or of a package it depends on (docs and tests aside), a file outside the packages its
 * deploy reads (or a dependency's does), or a bumped external package it or a dependency resolves;
 * a bump of the root's tooling reaches every service.
 */
export function servicesNeeding(repo, changed, bumped) {
  const services = repo.packages.filter((pkg) => pkg.kind === 'service');
  const closure = (names) => {
    const seen = new Set();
    const queue = [...names];
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...(repo.externals[name] ?? []));
    }
    return seen;
  };
  const tooling = closure(TOOLING);
  if (bumped.some((name) => tooling.has(name))) return services.map((pkg) => pkg.name).sort();
  const byName = new Map(repo.packages.map((pkg) => [pkg.name, pkg]));
  const reaches = (pkg) => {
    const own = [pkg, ...pkg.deps.map((dep) => byName.get(dep))];
    const reads = new Set(own.flatMap((entry) => entry.reads));
    const externals = closure(own.flatMap((entry) => entry.externals));
    return (
      changed.some(
        (path) =>
          reads.has(path) ||
          (pkg.assets && path.startsWith('shared/assets/')) ||
          own.some((entry) => path.startsWith(`${entry.dir}/`) && !isDocOrTest(path)),
      ) || bumped.some((name) => externals.has(name))
    );
  };
  return services
    .filter(reaches)
    .map((pkg) => pkg.name)
    .sort();
}

function serverlessYml(name, bundler, features) {
  const lines = [
    `service: ${name}`,
    "frameworkVersion: '3'",
    '',
    'plugins:',
    `  - serverless-${bundler}`,
    ...(features.has('stackOutput') ? ['  - serverless-stack-output'] : []),
    '',
    'provider:',
    '  name: aws',
    '  runtime: nodejs18.x',
    '  stage: ${opt:stage, "dev"}',
    ...(features.has('envFile') ? ['  environment: ${file(../../shared/env.yml):${sls:stage}}'] : []),
    '',
    'package:',
    '  individually: true',
    ...(features.has('assets') ? ['  patterns:', "    - '../../shared/assets/**'"] : []),
    '',
    'custom:',
  ];
  const lockFile = features.has('lockfileRef')
    ? ['    packagerOptions:', '      lockFile: ../../pnpm-lock.yaml']
    : [];
  if (bundler === 'webpack') {
    lines.push(
      '  webpack:',
      '    webpackConfig: ./webpack.config.js',
      '    packager: yarn',
      '    includeModules:',
      "      nodeModulesRelativeDir: '../../'",
      ...lockFile,
    );
  } else {
    lines.push(
      '  esbuild:',
      '    bundle: true',
      '    minify: false',
      '    packager: pnpm',
      '    tsconfig: tsconfig.json',
      ...lockFile,
    );
  }
  if (features.has('stackOutput'))
    lines.push(
      '  output:',
      '    handler: ../../scripts/stackOutput.handler',
      '    file: ../../frontend/src/stack-output.json',
    );
  lines.push(
    '',
    'functions:',
    '  main:',
    '    handler: src/handler.main',
    '    events:',
    `      - httpApi: 'GET /${name}'`,
  );
  if (features.has('sharedHandler'))
    lines.push(
      '  health:',
      '    handler: ../../shared/handlers/health.main',
      '    events:',
      `      - httpApi: 'GET /${name}/health'`,
    );
  return lines.join('\n') + '\n';
}

function webpackConfig(warmup) {
  return [
    "const path = require('path');",
    "const slsw = require('serverless-webpack');",
    "const nodeExternals = require('webpack-node-externals');",
    '',
    'module.exports = {',
    warmup
      ? "  entry: { ...slsw.lib.entries, warmup: '../../shared/warmup/index.ts' },"
      : '  entry: slsw.lib.entries,',
    "  target: 'node',",
    "  mode: slsw.lib.webpack.isLocal ? 'development' : 'production',",
    "  externals: [nodeExternals({ modulesDir: path.resolve(__dirname, '../../node_modules') })],",
    "  resolve: { extensions: ['.ts', '.js'] },",
    "  module: { rules: [{ test: /\\.ts$/, loader: 'ts-loader', exclude: /node_modules/ }] },",
    "  output: { libraryTarget: 'commonjs2', path: path.join(__dirname, '.webpack'), filename: '[name].js' },",
    '};',
    '',
  ].join('\n');
}

function handlerSource(name, deps, db) {
  const imports = [
    ...deps.map((dep, i) => `import * as lib${i} from '${dep}';`),
    ...(db ? ["import { db } from '../../../shared/src/db';"] : []),
  ];
  const uses = [...deps.map((_, i) => `lib${i}`), ...(db ? ['db'] : [])];
  return [
    ...imports,
    '',
    `export const main = async () => ({ statusCode: 200, body: JSON.stringify({ service: '${name}', uses: [${uses.map((use) => `typeof ${use}`).join(', ')}] }) });`,
    '',
  ].join('\n');
}

const STACK_OUTPUT = [
  "const fs = require('fs');",
  "const path = require('path');",
  '',
  "// serverless-stack-output: writes the stack's outputs into the frontend's .env file, where the app reads them.",
  'function handler(data, serverless, options) {',
  '  const file = `.env.${options.stage}`;',
  '  const lines = Object.entries(data).map(([key, value]) => `VITE_${key}=${value}`);',
  "  fs.writeFileSync(path.join(__dirname, '../frontend', file), lines.join('\\n') + '\\n');",
  '}',
  '',
  'module.exports = { handler };',
  '',
].join('\n');

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      services: { type: 'string', default: '16' },
      libs: { type: 'string', default: '4' },
      commits: { type: 'string', default: '45' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.out) {
    console.error(
      'usage: patterns.mjs --out DIR [--services N] [--libs N] [--commits N] [--seed N] [--json]',
    );
    process.exit(2);
  }
  let repo;
  try {
    repo = generatePatternsMonorepo({
      out: values.out,
      services: Number(values.services),
      libs: Number(values.libs),
      commits: Number(values.commits),
      seed: Number(values.seed),
    });
  } catch (error) {
    console.error(`patterns.mjs: ${error.message}`);
    process.exit(2);
  }
  if (values.json) console.log(JSON.stringify(repo, null, 2));
  else console.log(`${repo.dir}: ${repo.packages.length} packages, ${repo.commits.length} commits`);
}
