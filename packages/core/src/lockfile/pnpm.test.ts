// pnpm-lock.yaml v9, v6 and 5.x: the external closure of each importer.
import { describe, expect, it } from 'vitest';
import { type ClosureScope, UnreadableLockfile } from './model.js';
import { readPnpmLockfile } from './pnpm.js';

const closure = (text: string, dir: string, scope: ClosureScope = 'all') => {
  const found = readPnpmLockfile(text).closureOf(dir, scope);
  return found === null ? null : [...found].sort();
};

const V9 = `lockfileVersion: '9.0'

importers:
  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5
  services/api:
    dependencies:
      '@acme/util':
        specifier: workspace:*
        version: link:../../libs/util
      express:
        specifier: ^4.19.0
        version: 4.19.2
    optionalDependencies:
      fsevents:
        specifier: ^2.3.0
        version: 2.3.3
  libs/util:
    dependencies:
      zod:
        specifier: ^3.23.0
        version: 3.23.8

packages:
  express@4.19.2:
    resolution: {integrity: sha512-express}
  fsevents@2.3.3:
    resolution: {integrity: sha512-fsevents}
  qs@6.11.0:
    resolution: {integrity: sha512-qs}
  side-channel@1.0.6:
    resolution: {tarball: https://registry.example/side-channel-1.0.6.tgz}
  typescript@5.4.5:
    resolution: {integrity: sha512-typescript}
  zod@3.23.8:
    resolution: {integrity: sha512-zod}

snapshots:
  express@4.19.2:
    dependencies:
      qs: 6.11.0
  fsevents@2.3.3: {}
  qs@6.11.0:
    dependencies:
      side-channel: 1.0.6
  side-channel@1.0.6: {}
  typescript@5.4.5: {}
  zod@3.23.8: {}
`;

/** react-dom has react as a peer, so pnpm keys it with a `(react@…)` suffix. */
const V9_PEERS = `lockfileVersion: '9.0'

importers:
  web:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

packages:
  react@18.2.0:
    resolution: {integrity: sha512-react}
  react-dom@18.2.0:
    resolution: {integrity: sha512-react-dom}
  scheduler@0.23.2:
    resolution: {integrity: sha512-scheduler}

snapshots:
  react@18.2.0: {}
  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0
      scheduler: 0.23.2
  scheduler@0.23.2: {}
`;

const V6 = `lockfileVersion: '6.0'

importers:
  services/api:
    dependencies:
      '@acme/util':
        specifier: workspace:*
        version: link:../../libs/util
      express:
        specifier: ^4.19.0
        version: 4.19.2

packages:
  /express@4.19.2:
    resolution: {integrity: sha512-express}
    dependencies:
      qs: 6.11.0
    dev: false
  /qs@6.11.0:
    resolution: {integrity: sha512-qs}
    dev: false
`;

/** In v6 the peer suffix is part of the packages key as well. */
const V6_PEERS = `lockfileVersion: '6.0'

importers:
  web:
    dependencies:
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

packages:
  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-react-dom}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      react: 18.2.0
    dev: false
  /react@18.2.0:
    resolution: {integrity: sha512-react}
    dev: false
`;

describe('readPnpmLockfile v9', () => {
  it('follows importers through snapshots, with integrity or tarball from packages, skipping links', () => {
    expect(closure(V9, 'services/api')).toEqual([
      'express@4.19.2#sha512-express',
      'fsevents@2.3.3#sha512-fsevents',
      'qs@6.11.0#sha512-qs',
      'side-channel@1.0.6#https://registry.example/side-channel-1.0.6.tgz',
    ]);
    expect(closure(V9, 'libs/util')).toEqual(['zod@3.23.8#sha512-zod']);
  });

  it("reads the root importer '.' for the directory '', and null for an unknown one", () => {
    expect(closure(V9, '')).toEqual(['typescript@5.4.5#sha512-typescript']);
    // The root has dev dependencies only: it runs with none.
    expect(closure(V9, '', 'production')).toEqual([]);
    expect(closure(V9, 'services/web')).toBeNull();
  });

  it('leaves out the dev dependencies of an importer in the production scope, keeping optional ones', () => {
    const withDev = V9.replace(
      '    optionalDependencies:',
      '    devDependencies:\n      typescript:\n        specifier: ^5.4.0\n        version: 5.4.5\n    optionalDependencies:',
    );
    expect(closure(withDev, 'services/api')).toContain('typescript@5.4.5#sha512-typescript');
    expect(closure(withDev, 'services/api', 'production')).toEqual(closure(V9, 'services/api'));
  });

  it('follows a dependency whose version has a peer suffix', () => {
    expect(closure(V9_PEERS, 'web')).toEqual([
      'react-dom@18.2.0(react@18.2.0)#sha512-react-dom',
      'react@18.2.0#sha512-react',
      'scheduler@0.23.2#sha512-scheduler',
    ]);
  });
});

describe('readPnpmLockfile v6', () => {
  it('follows importers through packages keyed /name@version', () => {
    expect(closure(V6, 'services/api')).toEqual(['/express@4.19.2#sha512-express', '/qs@6.11.0#sha512-qs']);
  });

  it('follows a dependency whose version has a peer suffix', () => {
    expect(closure(V6_PEERS, 'web')).toEqual([
      '/react-dom@18.2.0(react@18.2.0)#sha512-react-dom',
      '/react@18.2.0#sha512-react',
    ]);
  });

  it('follows an npm: alias to the aliased package', () => {
    const text = [
      "lockfileVersion: '6.0'",
      'importers:',
      '  web:',
      '    dependencies:',
      '      string-width-cjs:',
      '        specifier: npm:string-width@^4.2.0',
      '        version: /string-width@4.2.3',
      'packages:',
      '  /string-width@4.2.3:',
      '    resolution: {integrity: sha512-sw}',
      '    dependencies:',
      '      emoji-regex: 8.0.0',
      '  /emoji-regex@8.0.0:',
      '    resolution: {integrity: sha512-er}',
    ].join('\n');
    expect(closure(text, 'web')).toEqual(['/emoji-regex@8.0.0#sha512-er', '/string-width@4.2.3#sha512-sw']);
  });
});

/** pnpm 7 (5.4): importers list specifiers and versions apart; packages keyed /name/version, peers after `_`. */
const V5 = `lockfileVersion: 5.4

importers:

  .:
    specifiers:
      typescript: ^5.4.0
    devDependencies:
      typescript: 5.4.5

  services/api:
    specifiers:
      '@acme/util': workspace:*
      '@middy/core': ^5.4.0
      react-dom: ^18.2.0
      string-width-cjs: npm:string-width@^4.2.0
    dependencies:
      '@acme/util': link:../../libs/util
      '@middy/core': 5.4.5
      react-dom: 18.2.0_react@18.2.0
      string-width-cjs: /string-width/4.2.3

packages:

  /@middy/core/5.4.5:
    resolution: {integrity: sha512-middy}
    dev: false

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-react-dom}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      react: 18.2.0
    dev: false

  /react/18.2.0:
    resolution: {integrity: sha512-react}
    dev: false

  /string-width/4.2.3:
    resolution: {integrity: sha512-sw}
    dev: false

  /typescript/5.4.5:
    resolution: {integrity: sha512-typescript}
    hasBin: true
    dev: true
`;

describe('readPnpmLockfile 5.x (pnpm 6 and 7)', () => {
  it('follows importers through packages keyed /name/version: scoped, with a peer suffix, an npm: alias', () => {
    expect(closure(V5, 'services/api')).toEqual([
      '/@middy/core/5.4.5#sha512-middy',
      '/react-dom/18.2.0_react@18.2.0#sha512-react-dom',
      '/react/18.2.0#sha512-react',
      '/string-width/4.2.3#sha512-sw',
    ]);
    expect(closure(V5, '')).toEqual(['/typescript/5.4.5#sha512-typescript']);
    expect(closure(V5.replace('lockfileVersion: 5.4', 'lockfileVersion: 5.3'), '')).toEqual(closure(V5, ''));
  });

  it("reads a lockfile without importers (one project, no workspace) as the root's", () => {
    const single = [
      'lockfileVersion: 5.4',
      '',
      'specifiers:',
      '  ms: ^2.1.0',
      '',
      'dependencies:',
      '  ms: 2.1.3',
      '',
      'packages:',
      '',
      '  /ms/2.1.3:',
      '    resolution: {integrity: sha512-ms}',
      '    dev: false',
      '',
    ].join('\n');
    expect(closure(single, '')).toEqual(['/ms/2.1.3#sha512-ms']);
    expect(closure(single, 'services/api')).toBeNull();
  });
});

describe('readPnpmLockfile: unsupported input', () => {
  it.each([
    ['10.0', "lockfileVersion: '10.0'\n"],
    ['4.2', 'lockfileVersion: 4.2\n'],
    ['undefined', 'importers: {}\n'],
  ])('rejects lockfileVersion %s as unreadable', (version, text) => {
    expect(() => readPnpmLockfile(text)).toThrow(
      new UnreadableLockfile(`lockfileVersion ${version} is not supported (need 5.x, 6 or 9)`),
    );
  });

  it('rejects text that is not YAML as unreadable', () => {
    expect(() => readPnpmLockfile('lockfileVersion: [9.0\n')).toThrow(UnreadableLockfile);
  });
});
