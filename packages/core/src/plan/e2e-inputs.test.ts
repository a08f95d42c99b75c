import { describe, expect, it } from 'vitest';
import { defaultPlannerConfig, InputIndex } from '../changes/inputs.js';
import { buildGraph } from '../graph/graph.js';
import type { Workspace } from '../types.js';
import { e2eInputs, scriptPaths } from './e2e-inputs.js';

const workspace: Workspace = {
  sources: ['npm workspaces'],
  packages: [
    {
      name: 'orders',
      dir: 'services/orders',
      isService: true,
      dependsOn: [
        { name: 'shared', source: 'package.json' },
        { name: 'testkit', source: 'package.json', dev: true },
      ],
    },
    { name: 'shared', dir: 'libs/shared', isService: false, dependsOn: [] },
    { name: 'testkit', dir: 'libs/testkit', isService: false, dependsOn: [] },
  ],
};
const files = {
  'services/orders/package.json': 'a',
  'services/orders/src/index.js': 'b',
  'services/orders/e2e/orders.e2e.mjs': 'c',
  'libs/shared/index.js': 'd',
  'libs/testkit/index.js': 'e',
  'vitest.e2e.config.mjs': 'f',
  'README.md': 'g',
};
const SCRIPT = 'vitest run --root . --config ../../vitest.e2e.config.mjs';

const inputsWith = (changed: Record<string, string>, script = SCRIPT): string => {
  const head = Object.entries({ ...files, ...changed }).map(([path, oid]) => ({ path, oid }));
  const graph = buildGraph(workspace);
  return e2eInputs(graph, new InputIndex(workspace, defaultPlannerConfig()), head, 'orders', script);
};

describe('e2eInputs', () => {
  const before = inputsWith({});

  it('changes with the tests, the manifest, the config the script names, and test helpers', () => {
    for (const path of [
      'services/orders/e2e/orders.e2e.mjs',
      'services/orders/package.json',
      'vitest.e2e.config.mjs',
      'libs/testkit/index.js',
    ]) {
      expect(inputsWith({ [path]: 'changed' }), path).not.toBe(before);
    }
    expect(inputsWith({}, 'vitest run --config ../../other.config.mjs')).not.toBe(before);
  });

  it('stays as it is when only what the deploy ships or unrelated files change', () => {
    for (const path of ['services/orders/src/index.js', 'libs/shared/index.js', 'README.md']) {
      expect(inputsWith({ [path]: 'changed' }), path).toBe(before);
    }
  });

  it('reads the paths a script names from the service folder', () => {
    expect(scriptPaths(SCRIPT, 'services/orders')).toEqual(['vitest.e2e.config.mjs']);
    expect(scriptPaths('node e2e/run.mjs', 'services/orders')).toEqual([]);
    expect(scriptPaths("jest -c='../jest.e2e.js' ./e2e", 'services/orders')).toEqual([
      'services/jest.e2e.js',
      'services/orders/e2e',
    ]);
  });
});
