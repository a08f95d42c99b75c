// lockfileImpact: which workspace packages a lockfile change between two commits reaches.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkspacePackage } from '../types.js';
import { lockfileImpact, readLockfile } from './impact.js';

const NO_MANIFESTS = new Map();

const packages: WorkspacePackage[] = [
  { name: '@acme/api', dir: 'services/api', isService: true, dependsOn: [] },
  { name: '@acme/web', dir: 'services/web', isService: true, dependsOn: [] },
  { name: '@acme/util', dir: 'libs/util', isService: false, dependsOn: [] },
];

const npmLock = (entries: Record<string, object>): string =>
  JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { workspaces: ['libs/*', 'services/*'] },
      'services/api': { dependencies: { a: '^1.0.0', '@acme/util': '*' } },
      'services/web': { dependencies: { c: '^1.0.0' } },
      'libs/util': {},
      'node_modules/@acme/util': { resolved: 'libs/util', link: true },
      'node_modules/c': { version: '1.0.0', integrity: 'sha-c' },
      ...entries,
    },
  });

const npmImpact = (base: Record<string, object>, head: Record<string, object>) =>
  lockfileImpact('package-lock.json', npmLock(base), npmLock(head), packages, NO_MANIFESTS);

describe('lockfileImpact with package-lock.json', () => {
  const a = { version: '1.0.0', integrity: 'sha-a', dependencies: { b: '^1.0.0' } };

  it('sees no change when a package moves in node_modules at the same version', async () => {
    const b = { version: '1.0.0', integrity: 'sha-b100' };
    expect(
      await npmImpact(
        { 'node_modules/a': a, 'node_modules/a/node_modules/b': b },
        { 'node_modules/a': a, 'node_modules/b': b },
      ),
    ).toEqual({ known: true, file: 'package-lock.json', packages: {}, root: [] });
  });

  it('reaches the workspace package that depends on a transitively bumped version', async () => {
    const base = { 'node_modules/a': a, 'node_modules/b': { version: '1.0.0', integrity: 'sha-b100' } };
    const head = { 'node_modules/a': a, 'node_modules/b': { version: '1.0.1', integrity: 'sha-b101' } };
    expect(await npmImpact(base, head)).toEqual({
      known: true,
      file: 'package-lock.json',
      packages: { '@acme/api': ['b'] },
      root: [],
    });
  });

  it('names added and removed external packages, scoped names included', async () => {
    const base = { 'node_modules/a': a, 'node_modules/b': { version: '1.0.0', integrity: 'sha-b100' } };
    const head = {
      'node_modules/a': { ...a, dependencies: { '@types/b': '*' } },
      'node_modules/@types/b': { version: '1.0.0', integrity: 'sha-tb' },
    };
    expect(await npmImpact(base, head)).toMatchObject({ packages: { '@acme/api': ['@types/b', 'b'] } });
  });

  it("names the root's own external dependencies that changed (its deploy tooling), apart from the packages'", async () => {
    const rootWith = (osls: string) => ({
      '': { workspaces: ['libs/*', 'services/*'], devDependencies: { osls: '^4.0.0' } },
      'node_modules/osls': { version: osls, integrity: `sha-osls-${osls}` },
    });
    expect(await npmImpact(rootWith('4.3.0'), rootWith('4.3.1'))).toEqual({
      known: true,
      file: 'package-lock.json',
      packages: {},
      root: ['osls'],
    });
  });

  it('cannot tell when the lockfile is version 1, added or deleted', async () => {
    const v1 = JSON.stringify({ lockfileVersion: 1, dependencies: {} });
    expect(await lockfileImpact('package-lock.json', v1, npmLock({}), packages, NO_MANIFESTS)).toEqual({
      known: false,
      file: 'package-lock.json',
      why: 'package-lock.json: lockfileVersion 1 is not supported (need 2 or 3)',
    });
    expect(await lockfileImpact('package-lock.json', null, npmLock({}), packages, NO_MANIFESTS)).toEqual({
      known: false,
      file: 'package-lock.json',
      why: 'package-lock.json was added',
    });
    expect(
      await lockfileImpact('package-lock.json', npmLock({}), null, packages, NO_MANIFESTS),
    ).toMatchObject({
      why: 'package-lock.json was deleted',
    });
  });
});

const pnpmLock = (qs: string, scheduler: string) => `lockfileVersion: '9.0'

importers:
  services/api:
    dependencies:
      express: {specifier: ^4.19.0, version: 4.19.2}
  services/web:
    dependencies:
      react: {specifier: ^18.2.0, version: 18.2.0}
      react-dom: {specifier: ^18.2.0, version: 18.2.0(react@18.2.0)}

packages:
  express@4.19.2: {resolution: {integrity: sha512-express}}
  qs@${qs}: {resolution: {integrity: sha512-qs-${qs}}}
  react@18.2.0: {resolution: {integrity: sha512-react}}
  react-dom@18.2.0: {resolution: {integrity: sha512-react-dom}}
  scheduler@${scheduler}: {resolution: {integrity: sha512-scheduler-${scheduler}}}

snapshots:
  express@4.19.2:
    dependencies: {qs: ${qs}}
  qs@${qs}: {}
  react@18.2.0: {}
  react-dom@18.2.0(react@18.2.0):
    dependencies: {react: 18.2.0, scheduler: ${scheduler}}
  scheduler@${scheduler}: {}
`;

describe('lockfileImpact with pnpm-lock.yaml', () => {
  it('reaches the importer that depends on a transitively bumped version', async () => {
    expect(
      await lockfileImpact(
        'pnpm-lock.yaml',
        pnpmLock('6.11.0', '0.23.2'),
        pnpmLock('6.11.1', '0.23.2'),
        packages,
        NO_MANIFESTS,
      ),
    ).toEqual({
      known: true,
      file: 'pnpm-lock.yaml',
      packages: { '@acme/api': ['qs'] },
      root: [],
    });
  });

  it('reaches the importer through a dependency with a peer suffix', async () => {
    expect(
      await lockfileImpact(
        'pnpm-lock.yaml',
        pnpmLock('6.11.0', '0.23.2'),
        pnpmLock('6.11.0', '0.23.3'),
        packages,
        NO_MANIFESTS,
      ),
    ).toEqual({
      known: true,
      file: 'pnpm-lock.yaml',
      packages: { '@acme/web': ['scheduler'] },
      root: [],
    });
  });

  it('cannot tell for an unsupported lockfileVersion', async () => {
    expect(
      await lockfileImpact(
        'pnpm-lock.yaml',
        "lockfileVersion: '10.0'\n",
        pnpmLock('6.11.0', '0.23.2'),
        packages,
        NO_MANIFESTS,
      ),
    ).toEqual({
      known: false,
      file: 'pnpm-lock.yaml',
      why: 'pnpm-lock.yaml: lockfileVersion 10.0 is not supported (need 5.x, 6 or 9)',
    });
  });
});

const ownLockfile = await readLockfile(
  'package-lock.json',
  readFileSync(new URL('../../../../package-lock.json', import.meta.url), 'utf8'),
  NO_MANIFESTS,
);

describe("this repository's own package-lock.json", () => {
  const has = (dir: string, prefix: string) =>
    [...(ownLockfile.closureOf(dir) ?? [])].some((id) => id.startsWith(prefix));

  it('gives the cli its own dependencies, not the root dev dependencies', () => {
    expect(has('packages/cli', 'yargs@')).toBe(true);
    expect(has('packages/cli', 'vitest@')).toBe(false);
    expect(has('', 'vitest@')).toBe(true);
  });

  it('gives core its own dependencies', () => {
    expect(has('packages/core', 'picomatch@')).toBe(true);
  });
});
