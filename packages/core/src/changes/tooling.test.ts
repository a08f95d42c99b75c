// The root's tooling settings: what every deploy installs, whatever the lockfile kind.
import { describe, expect, it } from 'vitest';
import { rootTooling, toolingChanges, toolingSignature } from './tooling.js';

const settingsOf = (files: Record<string, string>) => rootTooling(new Map(Object.entries(files)));
const manifest = (fields: object): string => JSON.stringify({ name: 'acme', private: true, ...fields });

describe('rootTooling', () => {
  it('takes the dependency fields, packageManager and overrides of package.json, and not its metadata', async () => {
    const before = await settingsOf({
      'package.json': manifest({
        description: 'a',
        devDependencies: { serverless: '^3.38.0', esbuild: '^0.19.0' },
      }),
    });
    const reordered = await settingsOf({
      'package.json': manifest({
        description: 'b',
        devDependencies: { esbuild: '^0.19.0', serverless: '^3.38.0' },
      }),
    });
    expect(toolingChanges(before, reordered)).toEqual([]);
    const after = await settingsOf({
      'package.json': manifest({
        devDependencies: { serverless: '^3.39.0', esbuild: '^0.19.0' },
        packageManager: 'yarn@4.5.3',
        resolutions: { axios: '1.7.0' },
      }),
    });
    expect(toolingChanges(before, after)).toEqual([
      'package.json devDependencies',
      'package.json packageManager',
      'package.json resolutions',
    ]);
  });

  it('takes package manager config files whole, and pnpm-workspace.yaml but for its packages', async () => {
    const before = await settingsOf({
      '.npmrc': 'save-exact=true\n',
      'pnpm-workspace.yaml': "packages:\n  - 'services/*'\ncatalog:\n  zod: ^3.23.0\n",
    });
    const moved = await settingsOf({
      '.npmrc': 'save-exact=true\n',
      'pnpm-workspace.yaml': "packages:\n  - 'services/*'\n  - 'libs/*'\ncatalog:\n  zod: ^3.23.0\n",
    });
    expect(toolingChanges(before, moved)).toEqual([]);
    const after = await settingsOf({
      '.npmrc': 'save-exact=true\nregistry=https://npm.acme.internal/\n',
      '.yarnrc.yml': 'nodeLinker: node-modules\n',
      'pnpm-workspace.yaml': "packages:\n  - 'services/*'\ncatalog:\n  zod: ^3.24.0\n",
    });
    expect(toolingChanges(before, after)).toEqual(['.npmrc', '.yarnrc.yml', 'pnpm-workspace.yaml catalog']);
    expect(toolingSignature(before)).not.toBe(toolingSignature(after));
  });
});
