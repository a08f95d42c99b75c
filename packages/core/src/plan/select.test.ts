// Resolving the service names a user typed for --only and --exclude.
import { describe, expect, it } from 'vitest';
import type { WorkspacePackage } from '../types.js';
import { resolveServiceName, selectServices } from './select.js';

const services: WorkspacePackage[] = ['@acme/orders', '@acme/billing', '@other/billing', 'site'].map(
  (name) => ({
    name,
    dir: `services/${name}`,
    isService: true,
    dependsOn: [],
  }),
);

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('resolveServiceName', () => {
  it('accepts the full name, or the name without its scope when unique', () => {
    expect(resolveServiceName('@acme/orders', services)).toBe('@acme/orders');
    expect(resolveServiceName('orders', services)).toBe('@acme/orders');
    expect(resolveServiceName('site', services)).toBe('site');
    expect(resolveServiceName('@other/billing', services)).toBe('@other/billing');
  });

  it('rejects an unscoped name shared by several scopes', () => {
    expect(errorOf(() => resolveServiceName('billing', services))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: '"billing" matches several services: @acme/billing, @other/billing',
      hint: 'use the full package name',
    });
  });

  it('rejects an unknown name and lists the known ones', () => {
    expect(errorOf(() => resolveServiceName('shipping', services))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
      message: 'no service named "shipping"',
      hint: 'known services: @acme/orders, @acme/billing, @other/billing, site',
    });
    expect(errorOf(() => resolveServiceName('orders', []))).toMatchObject({
      hint: 'known services: (none)',
    });
  });
});

describe('selectServices', () => {
  const names = (selected: WorkspacePackage[]) => selected.map((service) => service.name);

  it('keeps every service without --only or --exclude', () => {
    expect(names(selectServices(services, null, []))).toEqual(names(services));
  });

  it('applies --only, then --exclude', () => {
    expect(names(selectServices(services, ['orders', '@acme/billing', 'site'], ['site']))).toEqual([
      '@acme/orders',
      '@acme/billing',
    ]);
    expect(names(selectServices(services, null, ['orders', '@other/billing']))).toEqual([
      '@acme/billing',
      'site',
    ]);
  });

  it('rejects unknown names in --exclude as well', () => {
    expect(errorOf(() => selectServices(services, null, ['shipping']))).toMatchObject({
      code: 'E_UNKNOWN_SERVICE',
    });
  });
});
