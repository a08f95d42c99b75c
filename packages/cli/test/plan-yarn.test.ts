// yarn 1 and yarn berry monorepos (lerna-style, the common serverless shape): lockfile-only bumps reach
// exactly the packages whose resolved dependencies moved; what cannot be read deploys everything, saying why.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, shallowClone, tempRepo, type TestRepo } from './helpers/repo.js';
import {
  yarnBerryLock,
  yarnClassicLock,
  type Locked,
  type LockedWorkspace,
} from '../../../tools/bench/lockfiles.mjs';

type Flavour = 'yarn 1' | 'yarn berry';

const serverlessYml = (name: string): string =>
  `service: ${name}\nframeworkVersion: '3'\nplugins:\n  - serverless-esbuild\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  main:\n    handler: src/handler.main\n`;

/** What is installed, by version: bumps change these, never the ranges in package.json. */
interface Versions {
  awsSdk: string;
  followRedirects: string;
  esbuildPlugin: string;
}
const initial: Versions = { awsSdk: '2.1500.0', followRedirects: '1.15.3', esbuildPlugin: '1.50.0' };

const ROOT_DEV = { serverless: '^3.38.0', 'serverless-esbuild': '^1.50.0' };
const WORKSPACES: LockedWorkspace[] = [
  { dir: '', name: 'acme', dependencies: ROOT_DEV },
  { dir: 'packages/http', name: '@acme/http', dependencies: { axios: '^1.6.0' } },
  {
    dir: 'services/orders',
    name: '@acme/orders',
    dependencies: { '@acme/http': '^1.0.0', uuid: '^9.0.0' },
  },
  { dir: 'services/billing', name: '@acme/billing', dependencies: { dayjs: '^1.11.0' } },
  { dir: 'services/notify', name: '@acme/notify', dependencies: { 'aws-sdk': '^2.1500.0' } },
];

function locked(v: Versions): Locked[] {
  return [
    {
      name: 'axios',
      ranges: ['^1.6.0'],
      version: '1.6.2',
      dependencies: { 'follow-redirects': '^1.15.0', 'form-data': '^4.0.0' },
    },
    { name: 'follow-redirects', ranges: ['^1.15.0'], version: v.followRedirects },
    { name: 'form-data', ranges: ['^4.0.0'], version: '4.0.0' },
    { name: 'uuid', ranges: ['^9.0.0'], version: '9.0.1' },
    { name: 'dayjs', ranges: ['^1.11.0'], version: '1.11.10' },
    { name: 'aws-sdk', ranges: ['^2.1500.0'], version: v.awsSdk, dependencies: { buffer: '4.9.2' } },
    { name: 'buffer', ranges: ['4.9.2'], version: '4.9.2' },
    { name: 'serverless', ranges: ['^3.38.0'], version: '3.38.0' },
    {
      name: 'serverless-esbuild',
      ranges: ['^1.50.0'],
      version: v.esbuildPlugin,
      dependencies: { esbuild: '^0.19.0' },
    },
    { name: 'esbuild', ranges: ['^0.19.0'], version: '0.19.8' },
  ];
}

const yarnLock = (flavour: Flavour, v: Versions): string =>
  flavour === 'yarn 1'
    ? yarnClassicLock(locked(v))
    : yarnBerryLock(
        // Berry links workspace dependencies with the workspace: protocol.
        WORKSPACES.map((workspace) => ({
          ...workspace,
          dependencies: Object.fromEntries(
            Object.entries(workspace.dependencies).map(([name, range]) => [
              name,
              name.startsWith('@acme/') ? 'workspace:^' : range,
            ]),
          ),
        })),
        locked(v),
      );

const manifest = (workspace: LockedWorkspace, flavour: Flavour): object => {
  const dependencies = Object.fromEntries(
    Object.entries(workspace.dependencies).map(([name, range]) => [
      name,
      flavour === 'yarn berry' && name.startsWith('@acme/') ? 'workspace:^' : range,
    ]),
  );
  return workspace.dir === ''
    ? {
        name: 'acme',
        private: true,
        // yarn 1 and lerna repositories often use the object form, with nohoist.
        workspaces:
          flavour === 'yarn 1'
            ? { packages: ['packages/*', 'services/*'], nohoist: ['**/serverless-esbuild'] }
            : ['packages/*', 'services/*'],
        ...(flavour === 'yarn berry' ? { packageManager: 'yarn@4.5.3' } : {}),
        devDependencies: ROOT_DEV,
      }
    : { name: workspace.name, version: '1.0.0', private: true, dependencies };
};

/** A yarn monorepo as teams lay it out, deployed at its second commit. */
async function deployedYarnRepo(flavour: Flavour): Promise<TestRepo> {
  const files: Record<string, string | object> = {
    'yarn.lock': yarnLock(flavour, initial),
    ...(flavour === 'yarn berry' ? { '.yarnrc.yml': 'nodeLinker: node-modules\n' } : {}),
  };
  for (const workspace of WORKSPACES) {
    const dir = workspace.dir === '' ? '' : `${workspace.dir}/`;
    files[`${dir}package.json`] = manifest(workspace, flavour);
    if (workspace.dir.startsWith('services/')) {
      const name = workspace.name.replace('@acme/', '');
      files[`${dir}serverless.yml`] = serverlessYml(name);
      files[`${dir}src/handler.ts`] =
        `export const main = async () => ({ statusCode: 200, body: '${name}' });\n`;
    } else if (workspace.dir !== '') {
      files[`${dir}src/index.ts`] = `export { default as http } from 'axios';\n`;
    }
  }
  const repo = tempRepo(files);
  repo.commit('initial services');
  repo.write({
    'services/billing/src/handler.ts': `export const main = async () => ({ statusCode: 204 });\n`,
  });
  await repo.mark(repo.commit('billing: answer 204'));
  return repo;
}

describe.each<Flavour>(['yarn 1', 'yarn berry'])('plan in a %s monorepo', (flavour) => {
  it('a lockfile-only bump of a service’s runtime dependency deploys that service alone', async () => {
    const repo = await deployedYarnRepo(flavour);
    repo.write({ 'yarn.lock': yarnLock(flavour, { ...initial, awsSdk: '2.1501.0' }) });
    repo.commit('bump aws-sdk');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/notify']);
    expect(reasonsOf(plan, '@acme/notify')).toEqual([
      { kind: 'changed', files: ['yarn.lock'], detail: 'external dependencies changed: aws-sdk' },
    ]);
  });

  it('a transitive bump under a library deploys the services that use the library', async () => {
    const repo = await deployedYarnRepo(flavour);
    repo.write({ 'yarn.lock': yarnLock(flavour, { ...initial, followRedirects: '1.15.4' }) });
    repo.commit('bump follow-redirects');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'dependency', via: '@acme/http' }]);
  });

  it('a bump of the root’s deploy tooling (a serverless plugin) deploys every service, also in a shallow clone', async () => {
    const repo = await deployedYarnRepo(flavour);
    repo.write({ 'yarn.lock': yarnLock(flavour, { ...initial, esbuildPlugin: '1.50.1' }) });
    repo.commit('bump serverless-esbuild');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      {
        kind: 'global',
        files: ['yarn.lock'],
        detail: "the repository root's external dependencies changed: serverless-esbuild",
      },
    ]);
    // Without the deployed commit, the fingerprint (which holds the root's resolved tooling) tells.
    const clone = shallowClone(repo);
    repo.copyStateTo(clone);
    const shallow = await clone.plan();
    expect(deploying(shallow)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    expect(reasonsOf(shallow, '@acme/billing')).toEqual([
      { kind: 'base-unreachable', detail: expect.stringMatching(/; fingerprint differs$/) as unknown },
    ]);
  });

  it('a root package.json dependency change deploys every service, whatever the lockfile says', async () => {
    const repo = await deployedYarnRepo(flavour);
    const root = manifest(WORKSPACES[0] as LockedWorkspace, flavour) as Record<string, unknown>;
    repo.write({
      'package.json': { ...root, devDependencies: { ...ROOT_DEV, 'serverless-offline': '^13.3.0' } },
    });
    repo.commit('add serverless-offline');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([
      {
        kind: 'global',
        files: ['package.json'],
        detail: "the repository root's tooling changed: package.json devDependencies",
      },
    ]);
  });

  it('a yarn.lock that cannot be parsed (left with merge conflict markers) deploys every service, naming it', async () => {
    const repo = await deployedYarnRepo(flavour);
    const text = yarnLock(flavour, initial);
    const conflicted = text.replace(
      /(\n"?aws-sdk@[^\n]*\n)/,
      `\n<<<<<<< HEAD$1=======\n"aws-sdk@^2.1501.0":\n>>>>>>> feature/notify\n`,
    );
    expect(conflicted).not.toBe(text);
    repo.write({ 'yarn.lock': conflicted });
    repo.commit('merge feature/notify');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    const [reason] = reasonsOf(plan, '@acme/billing');
    expect(reason).toMatchObject({ kind: 'global', files: ['yarn.lock'] });
    expect(reason?.detail).toMatch(
      /^could not tell which packages the lockfile change affects \(yarn\.lock: /,
    );
  });

  it('a change to a service’s own code deploys it alone, and the workspace is read as yarn’s', async () => {
    const repo = await deployedYarnRepo(flavour);
    repo.write({
      'services/orders/src/handler.ts': 'export const main = async () => ({ statusCode: 201 });\n',
    });
    repo.commit('orders: 201');
    expect(deploying(await repo.plan())).toEqual(['@acme/orders']);
    const explained = await repo.run(['plan', '--explain']);
    expect(explained.stderr).toContain('workspace: 4 packages (3 services) from yarn workspaces;');
  });
});

describe('plan in a yarn berry monorepo: package manager settings', () => {
  it('a .yarnrc.yml change deploys every service', async () => {
    const repo = await deployedYarnRepo('yarn berry');
    repo.write({
      '.yarnrc.yml': 'nodeLinker: node-modules\nnpmRegistryServer: "https://npm.acme.internal"\n',
    });
    repo.commit('use the internal registry');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/notify')).toEqual([
      {
        kind: 'global',
        files: ['.yarnrc.yml'],
        detail: "the repository root's tooling changed: .yarnrc.yml",
      },
    ]);
  });

  it('a packageManager bump deploys every service; metadata fields of the root package.json do not', async () => {
    const repo = await deployedYarnRepo('yarn berry');
    const root = manifest(WORKSPACES[0] as LockedWorkspace, 'yarn berry') as Record<string, unknown>;
    repo.write({ 'package.json': { ...root, description: 'Acme serverless platform' } });
    repo.commit('describe the repository');
    expect(deploying(await repo.plan())).toEqual([]);
    repo.write({ 'package.json': { ...root, packageManager: 'yarn@4.6.0' } });
    repo.commit('yarn 4.6');
    const plan = await repo.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/notify', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/billing')[0]?.detail).toBe(
      "the repository root's tooling changed: package.json packageManager",
    );
  });
});
