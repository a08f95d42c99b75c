// What each kind of file writes: the paths, their form, and the key or form --explain shows.
import { describe, expect, it } from 'vitest';
import { referencesIn } from './collect.js';
import { parseJsonc } from './json.js';
import { referringKind, type ReferringKind } from './written.js';

const read = (kind: ReferringKind, text: string, outward = true, path = 'services/api/file') =>
  referencesIn(kind, path, text, outward).map(({ path: written, form, label }) => [written, form, label]);

describe('serverless.yml: paths named by the keys they are under', () => {
  const yml = [
    'service: orders',
    'plugins:',
    '  - serverless-webpack',
    '  - ../../tools/serverless-plugin-env',
    'provider:',
    '  name: aws',
    '  environment: ${file(../../common/env.yml):${sls:stage}}',
    'package:',
    '  patterns:',
    "    - '../shared/**'",
    '    - ../templates',
    '  exclude:',
    '    - ../shared/tests/**',
    'layers:',
    '  deps:',
    '    path: ../../layers/deps # the hoisted dependencies',
    'custom:',
    '  webpack:',
    '    webpackConfig: ../webpack.config.js',
    '    includeModules:',
    "      nodeModulesRelativeDir: '../../'",
    '    packagerOptions: { lockFile: ../../package-lock.json }',
    '  output:',
    '    handler: ../../scripts/stackOutput.handler',
    '  script: |',
    '    cp ../../README.md dist/',
    'functions:',
    '  create:',
    '    handler: ../shared/handlers/create.main',
    '    events:',
    '      - http:',
    '          path: /orders/../x',
    '',
  ].join('\n');

  it('reads each path with its key, a handler and a plugin as modules, patterns and layer paths as shipped', () => {
    expect(read('yaml', yml)).toEqual([
      ['../../tools/serverless-plugin-env', 'module', 'plugins ../../tools/serverless-plugin-env'],
      ['../../common/env.yml', 'file', 'provider.environment ${file(../../common/env.yml)}'],
      ['../shared/**', 'glob', 'package.patterns ../shared/**'],
      ['../templates', 'ship', 'package.patterns ../templates'],
      ['../../layers/deps', 'ship', 'layers.deps.path ../../layers/deps'],
      ['../webpack.config.js', 'file', 'custom.webpack.webpackConfig ../webpack.config.js'],
      ['../../', 'file', 'custom.webpack.includeModules.nodeModulesRelativeDir ../../'],
      ['../../package-lock.json', 'file', 'custom.webpack.packagerOptions.lockFile ../../package-lock.json'],
      ['../../scripts/stackOutput', 'module', 'custom.output.handler ../../scripts/stackOutput.handler'],
      ['../../README.md', 'file', 'custom.script ../../README.md'],
      ['../shared/handlers/create', 'module', 'functions.create.handler ../shared/handlers/create.main'],
    ]);
  });

  it('takes a list written at its key’s own indent, and a variable as a wildcard', () => {
    const text =
      "package:\n  patterns:\n  - ../shared/*.json\nprovider:\n  env: ${file(../config.${opt:stage, 'dev'}.yml)}\n";
    expect(read('yaml', text)).toEqual([
      ['../shared/*.json', 'glob', 'package.patterns ../shared/*.json'],
      ['../config.*.yml', 'glob', "provider.env ${file(../config.${opt:stage, 'dev'}.yml)}"],
    ]);
  });
});

describe('JS/TS lines: a module, a handler, an entry, a shipped folder, or a file', () => {
  it('reads each kind of specifier with its form', () => {
    const source = [
      "import { db } from '../../libs/db';",
      "export * from '../shared/types';",
      "const x = require('../lib/x'), y = await import(`../y`);",
      "  '../../scripts/stackOutput.js',",
      "fs.writeFileSync(path.join(__dirname, '../frontend', file));",
      "  entry: { warmup: path.resolve(__dirname, '../shared/warmup/index.ts') },",
      "  entry: '../shared/entry',",
      "      handler: '../shared/handlers/health.main',",
      "    new CopyPlugin({ patterns: [{ from: '../assets', to: 'assets' }] }),",
      "    path: '../layers/deps',",
      "  environment: '${file(../env.yml)}',",
    ].join('\n');
    expect(read('source', source)).toEqual([
      ['../../libs/db', 'module', "import '../../libs/db'"],
      ['../shared/types', 'module', "export '../shared/types'"],
      ['../lib/x', 'module', "require '../lib/x'"],
      ['../y', 'module', "import() '../y'"],
      ['../../scripts/stackOutput.js', 'file', "'../../scripts/stackOutput.js'"],
      ['../frontend', 'file', "'../frontend'"],
      ['../shared/warmup/index.ts', 'module', "entry '../shared/warmup/index.ts'"],
      ['../shared/entry', 'module', "entry '../shared/entry'"],
      ['../shared/handlers/health', 'module', "handler '../shared/handlers/health.main'"],
      ['../assets', 'ship', "from '../assets'"],
      ['../layers/deps', 'file', "'../layers/deps'"],
      ['../env.yml', 'file', '${file(../env.yml)}'],
    ]);
    // A layer's path ships a folder in a serverless.ts only.
    expect(read('source', "    path: '../layers/deps',", true, 'services/api/serverless.ts')).toEqual([
      ['../layers/deps', 'ship', "path '../layers/deps'"],
    ]);
  });

  it('keeps ./ paths only when asked, and ignores words and URLs that merely contain ../', () => {
    expect(read('source', "import { pool } from './pool';")).toEqual([]);
    expect(read('source', "import { pool } from './pool';", false)).toEqual([
      ['./pool', 'module', "import './pool'"],
    ]);
    expect(read('source', '// see https://example.com/a/../b and foo../bar')).toEqual([]);
  });
});

describe('tsconfig and JSON configs', () => {
  it('reads a tsconfig’s extends (a path, a package, a list) and references, and nothing else', () => {
    const tsconfig = [
      '{',
      '  // the shared options',
      '  "extends": ["../tsconfig.json", "@acme/tsconfig/node18.json"],',
      '  "compilerOptions": { "outDir": "../../dist", "paths": { "@shared/*": ["../shared/*"] } },',
      '  "include": ["../shared/**/*.ts"],',
      '  "references": [{ "path": "../../libs/db" }, { "path": "./local" }],',
      '}',
    ].join('\n');
    expect(read('tsconfig', tsconfig)).toEqual([
      ['../tsconfig.json', 'extends', 'extends ../tsconfig.json'],
      ['@acme/tsconfig/node18.json', 'extends', 'extends @acme/tsconfig/node18.json'],
      ['../../libs/db', 'project', 'references ../../libs/db'],
    ]);
    expect(read('tsconfig', tsconfig, false).map(([path]) => path)).toContain('./local');
  });

  it('reads a JSON config by its keys, and a file that does not parse as plain text', () => {
    expect(read('json', '{ "extends": "../../.babelrc", "plugins": ["../babel/plugin"] }')).toEqual([
      ['../../.babelrc', 'file', 'extends ../../.babelrc'],
      ['../babel/plugin', 'module', 'plugins ../babel/plugin'],
    ]);
    expect(read('json', '{ "extends": "../../.babelrc", oops }')).toEqual([
      ['../../.babelrc', 'file', '../../.babelrc'],
    ]);
  });

  it('parses JSON with comments and trailing commas, keeping strings that hold // or /*', () => {
    expect(parseJsonc('{ "a": "http://x/*y", // c\n /* d */ "b": [1,], }')).toEqual({
      a: 'http://x/*y',
      b: [1],
    });
    expect(parseJsonc('{ nope')).toBeUndefined();
  });
});

describe('referringKind', () => {
  it('reads sources, serverless, tsconfig and babel configs in packages, other YAML and JSON only when reached', () => {
    const paths = [
      'src/a.ts',
      'serverless.ts',
      'serverless.yml',
      'tsconfig.build.json',
      '.babelrc',
      'env.yml',
    ];
    expect(paths.map((path) => referringKind(path))).toEqual([
      'source',
      'source',
      'yaml',
      'tsconfig',
      'json',
      null,
    ]);
    expect(referringKind('common/env.yml', true)).toBe('yaml');
    expect(referringKind('common/data.json', true)).toBe('json');
  });
});
