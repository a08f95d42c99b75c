// package-lock.json v2/v3: the external closure of each workspace package.
import { describe, expect, it } from 'vitest';
import { type ClosureScope, UnreadableLockfile } from './model.js';
import { readNpmLockfile } from './npm.js';

const npmLock = (packages: Record<string, object>, lockfileVersion = 3): string =>
  JSON.stringify({ name: 'acme', lockfileVersion, requires: true, packages });

const closure = (text: string, dir: string, scope: ClosureScope = 'all') => {
  const found = readNpmLockfile(text).closureOf(dir, scope);
  return found === null ? null : [...found].sort();
};

describe('readNpmLockfile', () => {
  it("resolves like Node: the package's own node_modules first, then each parent's", () => {
    const text = npmLock({
      '': { workspaces: ['services/*'] },
      'services/api': { dependencies: { a: '^1.0.0', c: '^3.0.0' } },
      'services/api/node_modules/c': { version: '3.0.0', integrity: 'sha-c3' },
      'node_modules/a': { version: '1.0.0', integrity: 'sha-a1', dependencies: { b: '^1.0.0' } },
      'node_modules/a/node_modules/b': { version: '1.5.0', integrity: 'sha-b15', dependencies: { c: '*' } },
      'node_modules/b': { version: '2.0.0', integrity: 'sha-b2' },
      'node_modules/c': { version: '1.0.0', integrity: 'sha-c1' },
    });
    expect(closure(text, 'services/api')).toEqual([
      'a@1.0.0#sha-a1',
      'b@1.5.0#sha-b15',
      'c@1.0.0#sha-c1',
      'c@3.0.0#sha-c3',
    ]);
  });

  it('follows dev dependencies of workspace packages only, and optional and peer dependencies everywhere', () => {
    const text = npmLock({
      'services/api': { dependencies: { a: '*' }, devDependencies: { vitest: '*' } },
      'node_modules/a': {
        version: '1.0.0',
        resolved: 'https://registry.example/a-1.0.0.tgz',
        devDependencies: { mocha: '*' },
        optionalDependencies: { fsevents: '*' },
        peerDependencies: { react: '*', 'not-installed': '*' },
      },
      'node_modules/vitest': { version: '4.0.0', integrity: 'sha-v' },
      'node_modules/mocha': { version: '10.0.0', integrity: 'sha-m' },
      'node_modules/fsevents': { version: '2.3.3', integrity: 'sha-f' },
      'node_modules/react': { version: '18.2.0', integrity: 'sha-r' },
    });
    expect(closure(text, 'services/api')).toEqual([
      'a@1.0.0#https://registry.example/a-1.0.0.tgz',
      'fsevents@2.3.3#sha-f',
      'react@18.2.0#sha-r',
      'vitest@4.0.0#sha-v',
    ]);
  });

  it('leaves out dev dependencies in the production scope, unless something it runs needs them too', () => {
    const text = npmLock({
      'services/api': { dependencies: { a: '*' }, devDependencies: { vitest: '*', b: '*' } },
      'node_modules/a': { version: '1.0.0', integrity: 'sha-a', dependencies: { b: '*' } },
      'node_modules/b': { version: '2.0.0', integrity: 'sha-b' },
      'node_modules/vitest': { version: '4.0.0', integrity: 'sha-v', dependencies: { tinyspy: '*' } },
      'node_modules/tinyspy': { version: '3.0.0', integrity: 'sha-t' },
    });
    expect(closure(text, 'services/api', 'production')).toEqual(['a@1.0.0#sha-a', 'b@2.0.0#sha-b']);
    expect(closure(text, 'services/api')).toEqual([
      'a@1.0.0#sha-a',
      'b@2.0.0#sha-b',
      'tinyspy@3.0.0#sha-t',
      'vitest@4.0.0#sha-v',
    ]);
  });

  it('does not follow links to other workspace packages', () => {
    const text = npmLock({
      'services/api': { dependencies: { '@acme/util': '*', zod: '*' } },
      'libs/util': { dependencies: { lodash: '*' } },
      'node_modules/@acme/util': { resolved: 'libs/util', link: true },
      'node_modules/lodash': { version: '4.17.21', integrity: 'sha-l' },
      'node_modules/zod': { version: '3.23.8', integrity: 'sha-z' },
    });
    expect(closure(text, 'services/api')).toEqual(['zod@3.23.8#sha-z']);
    expect(closure(text, 'libs/util')).toEqual(['lodash@4.17.21#sha-l']);
  });

  it('returns null for a directory the lockfile does not list', () => {
    expect(closure(npmLock({ 'services/api': {} }), 'services/web')).toBeNull();
    expect(closure(npmLock({ 'services/api': {} }), 'services/api')).toEqual([]);
  });

  it.each([
    ['lockfileVersion 1', npmLock({}, 1), 'lockfileVersion 1 is not supported (need 2 or 3)'],
    ['no lockfileVersion', '{}', 'lockfileVersion undefined is not supported (need 2 or 3)'],
  ])('rejects %s as unreadable', (_, text, message) => {
    expect(() => readNpmLockfile(text)).toThrow(new UnreadableLockfile(message));
  });

  it('rejects text that is not JSON as unreadable', () => {
    expect(() => readNpmLockfile('{ "lockfileVersion": 3,')).toThrow(UnreadableLockfile);
  });
});
