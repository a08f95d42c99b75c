// A service's resolved production dependencies, as one key: it moves with what the service runs with
// (through the libraries it uses), and with nothing else; where shipgraph cannot tell, it says why.
import { describe, expect, it } from 'vitest';
import { resolvedDependenciesOf } from '../src/deploy/resolved-dependencies.js';
import { openCheckout } from '../src/planning/checkout.js';
import {
  INSTALLED,
  MANIFESTS,
  npmDependencyWorkspace,
  packageLock,
  type Installed,
} from './helpers/npm-lock.js';
import { tempRepo, type TestRepo } from './helpers/repo.js';
import { yarnBerryLock, yarnClassicLock, type Locked } from '../../../tools/bench/lockfiles.mjs';

const resolved = async (repo: TestRepo, service = 'api', dirty = false) =>
  resolvedDependenciesOf(await openCheckout(repo.dir, 'HEAD'), dirty)(service);

const keyAt = async (repo: TestRepo, service = 'api'): Promise<string> => {
  const found = await resolved(repo, service);
  if (!found.known) throw new Error(`no key for ${service}: ${found.why}`);
  return found.key;
};

describe('resolved dependencies: npm', () => {
  const bumped = async (change: Partial<Installed>) => {
    const repo = tempRepo(npmDependencyWorkspace());
    repo.commit();
    const before = await keyAt(repo);
    repo.write({ 'package-lock.json': packageLock({ ...INSTALLED, ...change }) }).commit();
    return { before, after: await keyAt(repo) };
  };

  it('changes with a version of a dependency of the service, and of a library it uses', async () => {
    const ms = await bumped({ ms: '2.1.4' });
    expect(ms.after).not.toBe(ms.before);
    const isNumber = await bumped({ isNumber: '7.0.1' });
    expect(isNumber.after).not.toBe(isNumber.before);
  });

  it("stays the same when another service's dependency or the service's dev dependency moves", async () => {
    const leftPad = await bumped({ leftPad: '1.3.1' });
    expect(leftPad.after).toBe(leftPad.before);
    const typescript = await bumped({ typescript: '5.5.0' });
    expect(typescript.after).toBe(typescript.before);
  });

  it('is unknown without a lockfile, with one it cannot read, for a package it does not list, or a dirty checkout', async () => {
    const repo = tempRepo(MANIFESTS);
    repo.commit();
    expect(await resolved(repo)).toEqual({ known: false, why: 'no lockfile at the repository root' });

    repo.write({ 'package-lock.json': { lockfileVersion: 1 } }).commit();
    expect(await resolved(repo)).toEqual({
      known: false,
      why: 'package-lock.json: lockfileVersion 1 is not supported (need 2 or 3)',
    });

    const lock = packageLock(INSTALLED) as { packages: Record<string, object> };
    delete lock.packages['libs/util'];
    repo.write({ 'package-lock.json': lock }).commit();
    expect(await resolved(repo)).toEqual({
      known: false,
      why: 'package-lock.json does not list util, which api depends on',
    });
    expect((await resolved(repo, 'web')).known).toBe(true);

    repo.write({ 'package-lock.json': packageLock(INSTALLED) }).commit();
    expect((await resolved(repo)).known).toBe(true);
    expect(await resolved(repo, 'api', true)).toEqual({
      known: false,
      why: 'the checkout differs from its commit (--allow-dirty)',
    });
  });
});

describe('resolved dependencies: yarn', () => {
  const locked = (ms: string, leftPad: string): Locked[] => [
    { name: 'is-number', ranges: ['^7.0.0'], version: '7.0.0' },
    { name: 'left-pad', ranges: ['^1.3.0'], version: leftPad },
    { name: 'ms', ranges: ['^2.1.0'], version: ms },
    { name: 'typescript', ranges: ['^5.4.0'], version: '5.4.5' },
  ];
  const yarnLock = (flavour: 'yarn 1' | 'berry', ms: string, leftPad: string): string =>
    flavour === 'yarn 1'
      ? yarnClassicLock(locked(ms, leftPad))
      : yarnBerryLock(
          [
            { dir: '', name: 'root', dependencies: {} },
            { dir: 'libs/util', name: 'util', dependencies: { 'is-number': '^7.0.0' } },
            {
              dir: 'services/api',
              name: 'api',
              dependencies: { ms: '^2.1.0', typescript: '^5.4.0', util: 'workspace:*' },
            },
            { dir: 'services/web', name: 'web', dependencies: { 'left-pad': '^1.3.0' } },
          ],
          locked(ms, leftPad),
        );

  it.each(['yarn 1', 'berry'] as const)(
    '%s: changes with the service’s dependency, not with another service’s',
    async (flavour) => {
      const repo = tempRepo({ ...MANIFESTS, 'yarn.lock': yarnLock(flavour, '2.1.3', '1.3.0') });
      repo.commit();
      const first = await keyAt(repo);
      repo.write({ 'yarn.lock': yarnLock(flavour, '2.1.3', '1.3.1') }).commit();
      expect(await keyAt(repo)).toBe(first);
      repo.write({ 'yarn.lock': yarnLock(flavour, '2.1.4', '1.3.1') }).commit();
      expect(await keyAt(repo)).not.toBe(first);
    },
  );
});
