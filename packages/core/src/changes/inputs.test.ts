// InputIndex: which package owns a path, which files are its inputs, which files are global.
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import type { PlannerConfig, Workspace } from '../types.js';
import { defaultPlannerConfig, InputIndex } from './inputs.js';

const workspace = (dirs: Record<string, string>): Workspace => ({
  packages: Object.entries(dirs).map(([name, dir]) => ({ name, dir, isService: true, dependsOn: [] })),
  sources: ['npm workspaces'],
});

const layout = workspace({
  api: 'services/api',
  auth: 'services/api/plugins/auth',
  billing: 'services/billing',
  util: 'libs/util',
});

describe('InputIndex.ownerOf', () => {
  const index = new InputIndex(layout, defaultPlannerConfig());

  it('picks the deepest package whose directory holds the path', () => {
    expect(index.ownerOf('services/api/plugins/auth/src/index.ts')).toBe('auth');
    expect(index.ownerOf('services/api/plugins/other/index.ts')).toBe('api');
    expect(index.ownerOf('services/api/src/handler.ts')).toBe('api');
  });

  it('owns nothing outside package directories, even with a shared name prefix', () => {
    expect(index.ownerOf('services/apiary/src/handler.ts')).toBeUndefined();
    expect(index.ownerOf('services/README.md')).toBeUndefined();
    expect(index.ownerOf('package.json')).toBeUndefined();
  });
});

describe('InputIndex.packagesWithInput with the default rules', () => {
  const index = new InputIndex(layout, defaultPlannerConfig());

  it.each([
    'services/billing/src/handler.ts',
    'services/billing/serverless.yml',
    'services/billing/.env.production',
  ])('counts %s as an input of its owner', (path) => {
    expect(index.packagesWithInput(path)).toEqual(['billing']);
  });

  it.each([
    'services/billing/README.md',
    'services/billing/docs/guide.md',
    'services/billing/src/handler.test.ts',
    'services/billing/src/handler.spec.js',
    'services/billing/src/__tests__/handler.ts',
    'services/billing/e2e/checkout.ts',
    'services/billing/test/e2e/checkout.ts',
  ])('excludes %s', (path) => {
    expect(index.packagesWithInput(path)).toEqual([]);
  });

  it('gives a nested package its files, not the enclosing one', () => {
    expect(index.packagesWithInput('services/api/plugins/auth/src/index.ts')).toEqual(['auth']);
  });

  it('gives files outside every package to nobody', () => {
    expect(index.packagesWithInput('docs/architecture.txt')).toEqual([]);
  });
});

describe('InputIndex with per-package rules', () => {
  const config: PlannerConfig = {
    ...defaultPlannerConfig(),
    inputs: {
      api: {
        include: ['src/**', 'serverless.yml'],
        exclude: ['src/generated/**'],
        extra: ['shared/schemas/**'],
      },
      billing: { include: ['**'], exclude: [], extra: ['libs/util/src/**'] },
    },
  };
  const index = new InputIndex(layout, config);

  it('counts only the included files', () => {
    expect(index.packagesWithInput('services/api/src/handler.ts')).toEqual(['api']);
    expect(index.packagesWithInput('services/api/serverless.yml')).toEqual(['api']);
    expect(index.packagesWithInput('services/api/scripts/seed.sh')).toEqual([]);
  });

  it('drops excluded files, and the default excludes no longer apply', () => {
    expect(index.packagesWithInput('services/api/src/generated/client.ts')).toEqual([]);
    expect(index.packagesWithInput('services/api/src/handler.test.ts')).toEqual(['api']);
  });

  it('adds extra repository globs outside the package', () => {
    expect(index.packagesWithInput('shared/schemas/order.json')).toEqual(['api']);
    expect(index.packagesWithInput('libs/util/src/index.ts')).toEqual(['util', 'billing']);
    expect(index.packagesWithInput('libs/util/README.md')).toEqual([]);
    expect(index.packagesWithExtraInputs()).toEqual(['api', 'billing']);
  });

  it('keeps the default rules for packages without an override', () => {
    expect(index.packagesWithInput('services/api/plugins/auth/README.md')).toEqual([]);
    expect(index.packagesWithInput('services/api/plugins/auth/index.ts')).toEqual(['auth']);
  });
});

describe('InputIndex.isGlobal', () => {
  it('matches the default global files at the repository root only', () => {
    const index = new InputIndex(layout, defaultPlannerConfig());
    expect(['tsconfig.base.json', '.nvmrc', '.node-version'].map((path) => index.isGlobal(path))).toEqual([
      true,
      true,
      true,
    ]);
    expect(index.isGlobal('services/api/tsconfig.base.json')).toBe(false);
    expect(index.isGlobal('package.json')).toBe(false);
  });

  it('matches configured globs instead of the defaults', () => {
    const index = new InputIndex(layout, { ...defaultPlannerConfig(), globalFiles: ['config/**/*.json'] });
    expect(index.isGlobal('config/aws/accounts.json')).toBe(true);
    expect(index.isGlobal('config/aws/accounts.yml')).toBe(false);
    expect(index.isGlobal('tsconfig.base.json')).toBe(false);
  });

  // Plain paths are looked up and the other globs joined into one RegExp: both must match as picomatch's RegExps do.
  it("matches plain paths, globs and both mixed as picomatch's RegExps do", () => {
    const globalFiles = ['.nvmrc', 'config/app.json', './setup.js', 'tools/*.mjs', '**/*.env', '@acme/x'];
    const index = new InputIndex(layout, { ...defaultPlannerConfig(), globalFiles });
    const paths = [
      '.nvmrc',
      'config/app.json',
      'config/app.jsonx',
      'xconfig/app.json',
      'setup.js',
      './setup.js',
      'tools/build.mjs',
      'tools/sub/build.mjs',
      'services/api/.env',
      '.env',
      '@acme/x',
      'tools/*.mjs',
    ];
    const patterns = globalFiles.map((glob) => picomatch.makeRe(glob, { dot: true }));
    const isMatch = (path: string) => patterns.some((pattern) => pattern.test(path));
    expect(paths.map((path) => index.isGlobal(path))).toEqual(paths.map(isMatch));
    expect(paths.filter((path) => index.isGlobal(path))).toEqual([
      '.nvmrc',
      'config/app.json',
      'setup.js',
      'tools/build.mjs',
      'services/api/.env',
      '.env',
      '@acme/x',
      'tools/*.mjs',
    ]);
  });
});
