// References into other packages become edges, unless they would close a cycle.
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../types.js';
import { withReferences } from './references.js';

const workspace: Workspace = {
  sources: ['npm workspaces'],
  packages: [
    {
      name: 'api',
      dir: 'services/api',
      isService: true,
      dependsOn: [{ name: 'types', source: 'package.json' }],
    },
    { name: 'types', dir: 'libs/types', isService: false, dependsOn: [] },
    {
      name: 'web',
      dir: 'services/web',
      isService: true,
      dependsOn: [{ name: 'api', source: 'package.json' }],
    },
  ],
};
const byName = (result: Workspace, name: string) => result.packages.find((pkg) => pkg.name === name);

describe('withReferences', () => {
  it('adds an edge naming the reference, keeps a declared one as it is, and adds outside files as inputs', () => {
    const result = withReferences(workspace, [
      { from: 'web', to: 'types', via: "src/a.ts '../../libs/types/src/x'" },
      { from: 'api', to: 'types', via: 'src/b.ts ../../libs/types' },
      {
        from: 'api',
        input: {
          path: 'common/env.yml',
          match: 'exact',
          via: 'serverless.yml ${file(../../common/env.yml)}',
        },
      },
    ]);
    expect(byName(result, 'web')?.dependsOn).toEqual([
      { name: 'api', source: 'package.json' },
      { name: 'types', source: 'reference', via: "src/a.ts '../../libs/types/src/x'" },
    ]);
    expect(byName(result, 'api')?.dependsOn).toEqual([{ name: 'types', source: 'package.json' }]);
    expect(byName(result, 'api')?.externalInputs).toEqual([
      { path: 'common/env.yml', match: 'exact', via: 'serverless.yml ${file(../../common/env.yml)}' },
    ]);
  });

  it('turns a reference that would close a cycle into an input on the package’s folder', () => {
    const result = withReferences(workspace, [
      { from: 'api', to: 'web', via: 'src/c.ts ../../web/src/shared' },
    ]);
    expect(byName(result, 'api')?.dependsOn).toEqual([{ name: 'types', source: 'package.json' }]);
    expect(byName(result, 'api')?.externalInputs).toEqual([
      { path: 'services/web', match: 'tree', via: 'src/c.ts ../../web/src/shared' },
    ]);
  });
});
