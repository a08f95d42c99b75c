// Where references lead in a repository's tree, and what the collector makes of them for each package.
import { describe, expect, it } from 'vitest';
import { defaultPlannerConfig } from '../changes/inputs.js';
import type { PlannerConfig, Workspace } from '../types.js';
import { ReferenceCollector } from './collect.js';

const workspace: Workspace = {
  sources: ['npm workspaces'],
  packages: [
    { name: '@acme/api', dir: 'services/api', isService: true, dependsOn: [] },
    { name: '@acme/frontend', dir: 'frontend', isService: false, dependsOn: [] },
    { name: '@acme/tsconfig', dir: 'libs/tsconfig', isService: false, dependsOn: [] },
    { name: '@acme/db', dir: 'libs/db', isService: false, dependsOn: [] },
  ],
};

const TREE = [
  'package-lock.json',
  'package.json',
  'common/env.yml',
  'common/db.ts',
  'common/pool.ts',
  'common/pool.test.ts',
  'common/types.d.ts',
  'common/handlers/index.ts',
  'common/assets/logo.svg',
  'common/assets/nested/data.json',
  'config/tsconfig.node18.json',
  'frontend/package.json',
  'frontend/src/App.tsx',
  'libs/db/package.json',
  'libs/db/src/index.ts',
  'libs/db/tsconfig.json',
  'libs/tsconfig/package.json',
  'libs/tsconfig/node18.json',
  'scripts/stackOutput.js',
  'services/api/package.json',
  'services/api/serverless.yml',
  'services/api/src/handler.ts',
  'services/tsconfig.json',
];

/** What one package file refers to, following files outside the packages with `texts`. */
function collect(path: string, text: string, texts: Record<string, string> = {}, config?: PlannerConfig) {
  const collector = new ReferenceCollector(workspace, config ?? defaultPlannerConfig(), TREE);
  collector.addPackageFile(path, text);
  for (let next = collector.toRead(); next.length > 0; next = collector.toRead())
    collector.addReached(new Map(next.map((file) => [file, texts[file] ?? ''])));
  return collector.references();
}

describe('ReferenceCollector: files, not folders', () => {
  it('a module is the file with an extension, a .d.ts, or a folder’s index; never a test beside it', () => {
    const source = [
      "import { db } from '../../../common/db';",
      "import type { T } from '../../../common/types';",
      "import { health } from '../../../common/handlers';",
      "import { pool } from '../../../common/pool.js';",
    ].join('\n');
    expect(collect('services/api/src/handler.ts', source)).toEqual([
      {
        from: '@acme/api',
        input: { path: 'common/db.ts', match: 'exact', via: "src/handler.ts import '../../../common/db'" },
      },
      {
        from: '@acme/api',
        input: {
          path: 'common/types.d.ts',
          match: 'exact',
          via: "src/handler.ts import '../../../common/types'",
        },
      },
      {
        from: '@acme/api',
        input: {
          path: 'common/handlers/index.ts',
          match: 'exact',
          via: "src/handler.ts import '../../../common/handlers'",
        },
      },
      {
        from: '@acme/api',
        input: {
          path: 'common/pool.ts',
          match: 'exact',
          via: "src/handler.ts import '../../../common/pool.js'",
        },
      },
    ]);
  });

  it('a folder reaches nothing, and says why: the root, a folder of packages, node_modules, a folder, no such file (out of the package only)', () => {
    const yml = [
      'custom:',
      '  webpack:',
      "    includeModules: { nodeModulesRelativeDir: '../../' }",
      '  dirs: [../, ../../common, ../../node_modules/aws-sdk, ../../dist/api.zip, ../api/.build]',
    ].join('\n');
    expect(collect('services/api/serverless.yml', yml)).toEqual([
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.webpack.includeModules.nodeModulesRelativeDir ../../',
          why: 'the repository root',
          ignored: false,
        },
      },
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.dirs ../',
          why: 'a folder that holds workspace packages',
          ignored: false,
        },
      },
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.dirs ../../common',
          why: 'a folder, not a file',
          ignored: false,
        },
      },
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.dirs ../../node_modules/aws-sdk',
          why: 'inside node_modules',
          ignored: false,
        },
      },
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.dirs ../../dist/api.zip',
          why: 'no such file',
          ignored: false,
        },
      },
    ]);
  });

  it('a shipped folder or glob is an input, and the files under it are followed', () => {
    const yml = 'package:\n  patterns:\n    - ../../common/assets\n    - ../../common/*.yml\n';
    const found = collect('services/api/serverless.yml', yml, {
      'common/env.yml': 'table: ${file(./db.ts)}\n',
    });
    expect(found).toEqual([
      {
        from: '@acme/api',
        input: {
          path: 'common/assets',
          match: 'tree',
          via: 'serverless.yml package.patterns ../../common/assets',
        },
      },
      {
        from: '@acme/api',
        input: {
          path: 'common/*.yml',
          match: 'glob',
          via: 'serverless.yml package.patterns ../../common/*.yml',
        },
      },
      {
        from: '@acme/api',
        input: {
          path: 'common/db.ts',
          match: 'exact',
          via: 'serverless.yml package.patterns ../../common/*.yml → common/env.yml table ${file(./db.ts)}',
        },
      },
    ]);
  });
});

describe('ReferenceCollector: what a file means', () => {
  it('the root lockfile is the package’s resolved dependencies; another package is an edge; the root package.json a file', () => {
    const yml = [
      'custom:',
      '  webpack:',
      '    packagerOptions:',
      '      lockFile: ../../package-lock.json',
      '    includeModules:',
      '      packagePath: ../../package.json',
      '  db: ${file(../../libs/db/src/index.ts)}',
    ].join('\n');
    expect(collect('services/api/serverless.yml', yml)).toEqual([
      {
        from: '@acme/api',
        lockfile: 'package-lock.json',
        via: 'serverless.yml custom.webpack.packagerOptions.lockFile ../../package-lock.json',
      },
      {
        from: '@acme/api',
        input: {
          path: 'package.json',
          match: 'exact',
          via: 'serverless.yml custom.webpack.includeModules.packagePath ../../package.json',
        },
      },
      {
        from: '@acme/api',
        to: '@acme/db',
        via: 'serverless.yml custom.db ${file(../../libs/db/src/index.ts)}',
      },
    ]);
  });

  it('a tsconfig extends chain is followed to its end, with the whole chain; a package’s config is an edge', () => {
    const found = collect('services/api/tsconfig.json', '{ "extends": "../tsconfig" }', {
      'services/tsconfig.json':
        '{ "extends": "../config/tsconfig.node18.json", "references": [{ "path": "../libs/db" }] }',
      'config/tsconfig.node18.json': '{ "extends": "@acme/tsconfig/node18.json" }',
    });
    const chain = 'tsconfig.json extends ../tsconfig → services/tsconfig.json';
    expect(found).toEqual([
      {
        from: '@acme/api',
        input: { path: 'services/tsconfig.json', match: 'exact', via: 'tsconfig.json extends ../tsconfig' },
      },
      {
        from: '@acme/api',
        input: {
          path: 'config/tsconfig.node18.json',
          match: 'exact',
          via: `${chain} extends ../config/tsconfig.node18.json`,
        },
      },
      { from: '@acme/api', to: '@acme/db', via: `${chain} references ../libs/db` },
      {
        from: '@acme/api',
        to: '@acme/tsconfig',
        via: `${chain} extends ../config/tsconfig.node18.json → config/tsconfig.node18.json extends @acme/tsconfig/node18.json`,
      },
    ]);
  });

  it('a script’s string naming a folder it writes into reaches nothing', () => {
    const script = "fs.writeFileSync(path.join(__dirname, '../frontend', file), text);\n";
    expect(
      collect(
        'services/api/serverless.yml',
        'custom:\n  output:\n    handler: ../../scripts/stackOutput.handler\n',
        { 'scripts/stackOutput.js': script },
      ),
    ).toEqual([
      {
        from: '@acme/api',
        input: {
          path: 'scripts/stackOutput.js',
          match: 'exact',
          via: 'serverless.yml custom.output.handler ../../scripts/stackOutput.handler',
        },
      },
      {
        from: '@acme/api',
        unfollowed: {
          via: "serverless.yml custom.output.handler ../../scripts/stackOutput.handler → scripts/stackOutput.js '../frontend'",
          why: 'a folder, not a file',
          ignored: false,
        },
      },
    ]);
  });

  it('inputs.ignoreReferences drops what it matches, relative to the package, and says which', () => {
    const config = defaultPlannerConfig();
    config.inputs['@acme/api'] = { ...config.defaultInputs, ignoreReferences: ['../../scripts/*.js'] };
    const yml = 'custom:\n  output:\n    handler: ../../scripts/stackOutput.handler\n';
    expect(collect('services/api/serverless.yml', yml, {}, config)).toEqual([
      {
        from: '@acme/api',
        unfollowed: {
          via: 'serverless.yml custom.output.handler ../../scripts/stackOutput.handler',
          why: 'inputs.ignoreReferences ../../scripts/*.js',
          ignored: true,
        },
      },
    ]);
  });
});

describe('ReferenceCollector.readsOf', () => {
  it('reads sources by their lines, configs whole, and nothing outside packages or their inputs', () => {
    const collector = new ReferenceCollector(workspace, defaultPlannerConfig(), TREE);
    expect(
      [
        'services/api/src/handler.ts',
        'services/api/serverless.yml',
        'libs/db/tsconfig.json',
        'scripts/stackOutput.js',
        'services/api/src/a.test.ts',
      ].map((path) => collector.readsOf(path)),
    ).toEqual(['lines', 'whole', 'whole', null, null]);
  });
});
