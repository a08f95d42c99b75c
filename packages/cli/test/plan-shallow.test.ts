// A base commit missing from the clone (shallow CI checkout, force-push): the fingerprint decides.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, shallowClone, tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

const layout = npmWorkspace({ libs: { util: [] }, services: { orders: ['util'], billing: [] } });

describe('plan: base not in the clone', () => {
  it('with a recorded fingerprint, only services whose content changed deploy', async () => {
    const origin = tempRepo(layout);
    await origin.mark(origin.commit('deployed'));
    origin.write({
      'libs/util/src/index.ts': 'export const v = 2;\n',
      'services/billing/README.md': 'docs\n',
    });
    origin.commit('after the deploy');

    const clone = shallowClone(origin);
    origin.copyStateTo(clone);
    const plan = await clone.plan();
    expect(deploying(plan)).toEqual(['@acme/orders']);
    const [reason] = reasonsOf(plan, '@acme/orders');
    expect(reason?.kind).toBe('base-unreachable');
    expect(reason?.detail).toMatch(/^base [0-9a-f]{12} is not in this clone; fingerprint differs$/);
  });

  it('without a recorded fingerprint, every service with that base deploys: never a silent empty diff', async () => {
    const origin = tempRepo(layout);
    await origin.mark(origin.commit('deployed'));
    origin.commit('nothing changed');
    const clone = shallowClone(origin);
    origin.copyStateTo(clone);
    // An older record format, or a tool that recorded only the commit.
    const file = '.shipgraph/state/staging.json';
    const { readFileSync } = await import('node:fs');
    const state = JSON.parse(readFileSync(`${clone.dir}/${file}`, 'utf8')) as {
      services: Record<string, { fingerprint: string | null }>;
    };
    for (const record of Object.values(state.services)) record.fingerprint = null;
    clone.write({ [file]: state });

    const plan = await clone.plan();
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders']);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      {
        kind: 'base-unreachable',
        detail: expect.stringMatching(
          /^base [0-9a-f]{12} is not in this clone; no fingerprint recorded$/,
        ) as string,
      },
    ]);
  });

  it('the same commit planned in the full and the shallow clone agrees', async () => {
    const origin = tempRepo(layout);
    await origin.mark(origin.commit('deployed'));
    origin.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    origin.commit();
    const clone = shallowClone(origin);
    origin.copyStateTo(clone);
    expect(deploying(await clone.plan())).toEqual(deploying(await origin.plan()));
  });
});
