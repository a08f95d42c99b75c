// buildGraph and nearestServiceDeps on literal workspaces.
import { describe, expect, it } from 'vitest';
import type { Workspace, WorkspacePackage } from '../types.js';
import { buildGraph, inDependencyOrder, nearestServiceDeps } from './graph.js';

const pkg = (name: string, isService: boolean, deps: string[] = []): WorkspacePackage => ({
  name,
  dir: `${isService ? 'services' : 'libs'}/${name}`,
  isService,
  dependsOn: deps.map((dep) => ({ name: dep, source: 'package.json' })),
});
const service = (name: string, deps: string[] = []) => pkg(name, true, deps);
const library = (name: string, deps: string[] = []) => pkg(name, false, deps);
const workspace = (...packages: WorkspacePackage[]): Workspace => ({ packages, sources: ['npm workspaces'] });

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('buildGraph', () => {
  it('indexes edges both ways, once each, without self edges', () => {
    const graph = buildGraph(
      workspace(
        service('orders', ['util', 'log']),
        service('site', ['orders', 'util']),
        library('util', ['util']),
        {
          ...library('log'),
          dependsOn: [
            { name: 'util', source: 'package.json' },
            { name: 'util', source: 'nx-implicit' },
          ],
        },
      ),
    );
    expect(Object.fromEntries(graph.deps)).toEqual({
      orders: ['util', 'log'],
      site: ['orders', 'util'],
      util: [],
      log: ['util'],
    });
    expect(Object.fromEntries(graph.dependents)).toEqual({
      orders: ['site'],
      site: [],
      util: ['orders', 'site', 'log'],
      log: ['orders'],
    });
    expect([...graph.packages.keys()]).toEqual(['orders', 'site', 'util', 'log']);
  });

  it('orders every package after its dependencies', () => {
    const graph = buildGraph(
      workspace(
        service('a-site', ['b-orders']),
        service('b-orders', ['c-util', 'd-log']),
        library('c-util', ['d-log']),
        library('d-log'),
        service('e-billing'),
      ),
    );
    expect(graph.order).toEqual(['d-log', 'c-util', 'b-orders', 'a-site', 'e-billing']);
  });

  it('rejects a cycle with E_CYCLE naming the cycle', () => {
    expect(errorOf(() => buildGraph(workspace(library('a', ['b']), library('b', ['a']))))).toMatchObject({
      code: 'E_CYCLE',
      message: 'dependency cycle: a → b → a',
    });
  });

  it('names only the packages on the cycle, not the path that led to it', () => {
    const graph = () =>
      buildGraph(
        workspace(service('app', ['x']), library('x', ['y']), library('y', ['z']), library('z', ['x'])),
      );
    expect(errorOf(graph)).toMatchObject({ code: 'E_CYCLE', message: 'dependency cycle: x → y → z → x' });
  });

  it('rejects a dependency on a package outside the workspace with E_UNKNOWN_DEPENDENCY', () => {
    expect(errorOf(() => buildGraph(workspace(service('orders', ['ghost']))))).toMatchObject({
      code: 'E_UNKNOWN_DEPENDENCY',
      message: 'orders depends on ghost, which is not in the workspace',
      hint: 'add ghost to the workspace or remove the dependency',
    });
  });
});

describe('nearestServiceDeps', () => {
  it('finds services through libraries and stops at the first service', () => {
    const graph = buildGraph(
      workspace(
        service('site', ['client', 'ui']),
        library('client', ['orders']),
        library('ui'),
        service('orders', ['db-client']),
        library('db-client', ['db']),
        service('db'),
        service('billing', ['orders', 'client']),
      ),
    );
    expect(Object.fromEntries(nearestServiceDeps(graph))).toEqual({
      db: [],
      'db-client': ['db'],
      orders: ['db'],
      client: ['orders'],
      ui: [],
      site: ['orders'],
      billing: ['orders'],
    });
  });
});

describe('inDependencyOrder', () => {
  // site → client → api → util; cron alone.
  const graph = buildGraph(
    workspace(
      service('site', ['client']),
      library('client', ['api']),
      service('api', ['util']),
      library('util'),
      service('cron'),
    ),
  );

  it('puts dependencies first, ties by name', () => {
    expect(inDependencyOrder(graph, ['site', 'cron', 'api'])).toEqual(['cron', 'api', 'site']);
  });

  it('puts dependents first when reversed', () => {
    expect(inDependencyOrder(graph, ['api', 'cron', 'site'], true)).toEqual(['site', 'api', 'cron']);
  });
});
