// Content fingerprints: what changes them and what does not.
import { describe, expect, it } from 'vitest';
import { defaultPlannerConfig } from '../changes/inputs.js';
import type { Workspace } from '../types.js';
import { fingerprintsOf, type HeadFile } from './fingerprint.js';

/** orders → util; billing stands alone. */
const layout: Workspace = {
  packages: [
    { name: 'billing', dir: 'services/billing', isService: true, dependsOn: [] },
    {
      name: 'orders',
      dir: 'services/orders',
      isService: true,
      dependsOn: [{ name: 'util', source: 'package.json' }],
    },
    { name: 'util', dir: 'libs/util', isService: false, dependsOn: [] },
  ],
  sources: ['npm workspaces'],
};

const head: HeadFile[] = [
  { path: 'tsconfig.base.json', oid: 'g1' },
  { path: 'docs/architecture.txt', oid: 'd1' },
  { path: 'libs/util/src/index.ts', oid: 'u1' },
  { path: 'services/billing/src/handler.ts', oid: 'b1' },
  { path: 'services/orders/README.md', oid: 'r1' },
  { path: 'services/orders/src/db.ts', oid: 'o0' },
  { path: 'services/orders/src/handler.test.ts', oid: 't1' },
  { path: 'services/orders/src/handler.ts', oid: 'o1' },
];

const withOid = (path: string, oid: string): HeadFile[] =>
  head.map((file) => (file.path === path ? { path, oid } : file));

const fingerprint = (service: string, files: readonly HeadFile[], externals = ''): string =>
  fingerprintsOf(layout, defaultPlannerConfig(), files, () => externals).of(service);

describe('Fingerprints', () => {
  const before = { orders: fingerprint('orders', head), billing: fingerprint('billing', head) };

  it('is 32 hex characters and differs between services', () => {
    expect(before.orders).toMatch(/^[0-9a-f]{32}$/);
    expect(before.orders).not.toBe(before.billing);
  });

  it('changes when an input blob changes', () => {
    expect(fingerprint('orders', withOid('services/orders/src/handler.ts', 'o2'))).not.toBe(before.orders);
  });

  it.each(['services/orders/README.md', 'services/orders/src/handler.test.ts', 'docs/architecture.txt'])(
    'stays the same when %s changes (not an input)',
    (path) => {
      expect(fingerprint('orders', withOid(path, 'x2'))).toBe(before.orders);
    },
  );

  it("changes when a dependency's input changes, and only for its dependents", () => {
    const files = withOid('libs/util/src/index.ts', 'u2');
    expect(fingerprint('orders', files)).not.toBe(before.orders);
    expect(fingerprint('billing', files)).toBe(before.billing);
  });

  it('changes for every service when a global file changes', () => {
    const files = withOid('tsconfig.base.json', 'g2');
    expect(fingerprint('orders', files)).not.toBe(before.orders);
    expect(fingerprint('billing', files)).not.toBe(before.billing);
  });

  it('changes when the external dependencies change', () => {
    expect(fingerprint('orders', head, 'zod@3.23.8')).not.toBe(before.orders);
  });

  it("changes for every service when the repository root's external dependencies change", () => {
    const withRoot = (service: string, root: string) =>
      fingerprintsOf(layout, defaultPlannerConfig(), head, (name) => (name === '' ? root : '')).of(service);
    expect(withRoot('orders', 'osls@4.3.1')).not.toBe(withRoot('orders', 'osls@4.3.0'));
    expect(withRoot('billing', 'osls@4.3.1')).not.toBe(withRoot('billing', 'osls@4.3.0'));
  });

  it('does not depend on the order of the head files', () => {
    expect(fingerprint('orders', [...head].reverse())).toBe(before.orders);
  });

  it('does not count an added file outside the inputs', () => {
    expect(fingerprint('orders', [...head, { path: 'services/orders/e2e/flow.ts', oid: 'e1' }])).toBe(
      before.orders,
    );
    expect(fingerprint('orders', [...head, { path: 'services/orders/src/new.ts', oid: 'n1' }])).not.toBe(
      before.orders,
    );
  });
});

describe('Fingerprints: files outside every package that a package refers to', () => {
  const referring: Workspace = {
    ...layout,
    packages: layout.packages.map((pkg) =>
      pkg.name === 'util'
        ? {
            ...pkg,
            externalInputs: [
              {
                path: 'docs/architecture.txt',
                match: 'exact',
                via: "src/index.ts '../../../docs/architecture.txt'",
              },
            ],
          }
        : pkg,
    ),
  };
  const of = (service: string, files: readonly HeadFile[]): string =>
    fingerprintsOf(referring, defaultPlannerConfig(), files).of(service);

  it('changes for the referring package and its dependents, and for no one else', () => {
    const changed = withOid('docs/architecture.txt', 'd2');
    expect(of('orders', changed)).not.toBe(of('orders', head));
    expect(of('billing', changed)).toBe(of('billing', head));
  });
});
