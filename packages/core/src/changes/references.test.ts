// What a line refers to outside its folder, and how a reference resolves.
import { describe, expect, it } from 'vitest';
import { inputsFor, referencesInLine, referringKind, resolveReference } from './references.js';

const paths = (line: string, kind: 'source' | 'config', outward = true) =>
  referencesInLine(line, kind, outward).map(({ path, written, form }) => [path, written, form]);

describe('referencesInLine', () => {
  it('reads serverless ${file(...)} references, with variables as wildcards', () => {
    expect(paths('  environment: ${file(../../common/env.yml):${sls:stage}}', 'config')).toEqual([
      ['../../common/env.yml', '${file(../../common/env.yml)}', 'file'],
    ]);
    expect(paths("custom: ${file(../config.${opt:stage, 'dev'}.json)}", 'config')).toEqual([
      ['../config.*.json', "${file(../config.${opt:stage, 'dev'}.json)}", 'glob'],
    ]);
  });

  it('reads path values and list items, and a handler as its module', () => {
    expect(paths('    - ../shared/lib/**', 'config')).toEqual([
      ['../shared/lib/**', '../shared/lib/**', 'glob'],
    ]);
    expect(paths("    config: '../esbuild.config.cjs'", 'config')).toEqual([
      ['../esbuild.config.cjs', '../esbuild.config.cjs', 'file'],
    ]);
    expect(paths('    handler: ../common/handlers/health.main', 'config')).toEqual([
      ['../common/handlers/health', '../common/handlers/health.main', 'module'],
    ]);
  });

  it('reads quoted specifiers in sources: imports, requires, exports, dynamic imports', () => {
    expect(paths("import { db } from '../../common/db';", 'source')).toEqual([
      ['../../common/db', '../../common/db', 'module'],
    ]);
    expect(paths('const x = require("../lib/x"), y = await import(`../y`);', 'source')).toEqual([
      ['../lib/x', '../lib/x', 'module'],
      ['../y', '../y', 'module'],
    ]);
    // A serverless.ts may still hold ${file(...)} strings.
    expect(paths("  environment: '${file(../env.yml)}',", 'source')).toEqual([
      ['../env.yml', '${file(../env.yml)}', 'module'],
    ]);
  });

  it('keeps ./ paths only when asked, and ignores words and URLs that merely contain ../', () => {
    expect(paths("import { pool } from './pool';", 'source')).toEqual([]);
    expect(paths("import { pool } from './pool';", 'source', false)).toEqual([
      ['./pool', './pool', 'module'],
    ]);
    expect(paths('// see https://example.com/a/../b and foo../bar', 'source')).toEqual([]);
  });
});

describe('resolveReference', () => {
  it('resolves against the referring file’s folder, and refuses what leaves the repository', () => {
    const [written] = referencesInLine("import '../../common/db';", 'source', true);
    expect(written && resolveReference('services/api/src/handler.ts', written)).toEqual({
      path: 'services/common/db',
      form: 'module',
    });
    expect(written && resolveReference('api/handler.ts', written)).toBeNull();
  });
});

describe('referringKind and inputsFor', () => {
  it('reads sources and serverless configs, and other YAML/JSON only when a reference reached them', () => {
    expect(
      ['src/a.ts', 'serverless.ts', 'serverless.yml', 'env.yml'].map((path) => referringKind(path)),
    ).toEqual(['source', 'source', 'config', null]);
    expect(referringKind('common/env.yml', true)).toBe('config');
  });

  it('a module is the file, any extension of it, or a folder with an index', () => {
    expect(inputsFor({ path: 'common/db', form: 'module' }, 'v').map((input) => input.match)).toEqual([
      'exact',
      'stem',
      'tree',
    ]);
    expect(inputsFor({ path: 'common/**', form: 'glob' }, 'v')).toEqual([
      { path: 'common/**', match: 'glob', via: 'v' },
    ]);
  });
});
