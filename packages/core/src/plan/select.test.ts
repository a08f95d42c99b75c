// What --only and --exclude select: names, globs, folders, and Turborepo's `...` selectors.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/graph.js';
import type { WorkspacePackage } from '../types.js';
import { parseSelector, selectServices } from './select.js';

const pkg = (name: string, dir: string, isService: boolean, deps: string[] = []): WorkspacePackage => ({
  name,
  dir,
  isService,
  dependsOn: deps.map((dep) => ({ name: dep, source: 'package.json' as const })),
});

// libs: shared ← db; services: db ← orders ← orders-api, shared ← @acme/billing, @other/billing, site.
const graph = buildGraph({
  sources: ['npm workspaces'],
  packages: [
    pkg('@acme/billing', 'services/billing', true, ['@acme/shared']),
    pkg('@acme/db', 'libs/db', false, ['@acme/shared']),
    pkg('@acme/orders', 'services/orders', true, ['@acme/db']),
    pkg('@acme/orders-api', 'services/orders-api', true, ['@acme/orders']),
    pkg('@acme/shared', 'libs/shared', false),
    pkg('@other/billing', 'other/billing', true),
    pkg('site', 'web/site', true),
  ],
});

const select = (only: string[] | null, exclude: string[] = []): string[] =>
  selectServices(graph, only, exclude).map((service) => service.name);

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('selectServices', () => {
  it('keeps every service, and no library, without --only or --exclude', () => {
    expect(select(null)).toEqual([
      '@acme/billing',
      '@acme/orders',
      '@acme/orders-api',
      '@other/billing',
      'site',
    ]);
  });

  it('takes full names, and names without their scope when unique', () => {
    expect(select(['@acme/orders', 'site', 'orders-api'])).toEqual([
      '@acme/orders',
      '@acme/orders-api',
      'site',
    ]);
  });

  it('rejects an unscoped name shared by several scopes', () => {
    expect(errorOf(() => select(['billing']))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: '"billing" matches several packages: @acme/billing, @other/billing',
      hint: 'use the full package name',
    });
  });

  it('rejects a selector that matches nothing and lists the services', () => {
    expect(errorOf(() => select(['shipping']))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: 'no service named "shipping"',
      hint: 'known services: @acme/billing, @acme/orders, @acme/orders-api, @other/billing, site',
    });
    expect(errorOf(() => select(null, ['shipping']))).toMatchObject({ code: 'E_UNKNOWN_SERVICE' });
  });

  it('matches globs against full names, names without scope and folders', () => {
    expect(select(['@acme/orders*'])).toEqual(['@acme/orders', '@acme/orders-api']);
    expect(select(['orders-*'])).toEqual(['@acme/orders-api']);
    expect(select(['@acme/*'])).toEqual(['@acme/billing', '@acme/orders', '@acme/orders-api']);
    expect(select(['services/*'])).toEqual(['@acme/billing', '@acme/orders', '@acme/orders-api']);
  });

  it('matches a folder and what is inside it, written plainly, with ./ or in braces', () => {
    expect(select(['services/orders'])).toEqual(['@acme/orders']);
    expect(select(['./services'])).toEqual(['@acme/billing', '@acme/orders', '@acme/orders-api']);
    expect(select(['{web/site}'])).toEqual(['site']);
    expect(select(['./services/'])).toEqual(select(['services']));
    // `./` is always a folder: a name there does not count.
    expect(errorOf(() => select(['./site']))).toMatchObject({ code: 'E_UNKNOWN_SERVICE' });
  });

  it('adds dependencies with name... and dependents with ...name, as Turborepo does', () => {
    expect(select(['orders-api...'])).toEqual(['@acme/orders', '@acme/orders-api']);
    expect(select(['...orders'])).toEqual(['@acme/orders', '@acme/orders-api']);
    expect(select(['...@acme/shared'])).toEqual(['@acme/billing', '@acme/orders', '@acme/orders-api']);
    expect(select(['...db'])).toEqual(['@acme/orders', '@acme/orders-api']);
    expect(select(['...{libs/db}'])).toEqual(['@acme/orders', '@acme/orders-api']);
  });

  it('leaves the match itself out with ^', () => {
    expect(select(['...^orders'])).toEqual(['@acme/orders-api']);
    expect(select(['orders-api^...'])).toEqual(['@acme/orders']);
  });

  it('says so when a selector reaches libraries only, and how to reach their services', () => {
    expect(errorOf(() => select(['@acme/shared']))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: '"@acme/shared" selects no service, only @acme/shared',
      hint: '...@acme/shared selects the services that depend on it',
    });
  });

  it('applies --only, then --exclude, both with selectors', () => {
    expect(select(['@acme/*', 'site'], ['site'])).toEqual([
      '@acme/billing',
      '@acme/orders',
      '@acme/orders-api',
    ]);
    expect(select(null, ['...db', '@other/billing'])).toEqual(['@acme/billing', 'site']);
  });
});

describe('parseSelector', () => {
  it('reads the parts of a selector', () => {
    expect(parseSelector('...^{services/orders}')).toMatchObject({
      pattern: 'services/orders',
      folderOnly: true,
      withDependents: true,
      withDependencies: false,
      withoutMatched: true,
    });
    expect(parseSelector(' orders... ')).toMatchObject({ pattern: 'orders', withDependencies: true });
  });

  it('rejects a selector with nothing to match', () => {
    expect(errorOf(() => parseSelector('...'))).toMatchObject({ code: 'E_UNKNOWN_SERVICE' });
    expect(errorOf(() => parseSelector('{}'))).toMatchObject({ code: 'E_UNKNOWN_SERVICE' });
  });
});
