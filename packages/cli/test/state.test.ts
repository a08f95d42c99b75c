// `shipgraph state show|mark`: adopting existing stacks and reading what is recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

const layout = npmWorkspace({ libs: { util: [] }, services: { orders: ['util'], billing: [] } });

describe('state', () => {
  it('mark records the chosen services at a commit, with a fingerprint, and keeps the others', async () => {
    const repo = tempRepo(layout);
    const first = repo.commit();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    const second = repo.commit();

    const marked = await repo.run([
      'state',
      'mark',
      '--no-check-stacks',
      '--stage',
      'staging',
      '--commit',
      first,
    ]);
    expect(marked.exitCode).toBe(0);
    expect(marked.stderr).toBe(
      `recorded 2 services as deployed at ${first.slice(0, 12)} in stage staging (.shipgraph/state/staging.json)`,
    );
    await repo.run(['state', 'mark', '--no-check-stacks', '--only', 'billing']);

    const state = JSON.parse(readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8')) as {
      services: Record<string, { commit: string; fingerprint: string; regions: string[] }>;
    };
    expect(Object.keys(state.services).sort()).toEqual(['@acme/billing', '@acme/orders']);
    expect(state.services['@acme/orders']?.commit).toBe(first);
    expect(state.services['@acme/billing']?.commit).toBe(second);
    expect(state.services['@acme/orders']?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(state.services['@acme/orders']?.regions).toEqual(['us-east-1']);

    const shown = await repo.run(['state', 'show']);
    expect(shown.stdout.split('\n').map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      ['@acme/billing', second.slice(0, 12)],
      ['@acme/orders', first.slice(0, 12)],
    ]);
    const json = JSON.parse((await repo.run(['state', 'show', '--json'])).stdout) as { stage: string };
    expect(json.stage).toBe('staging');
  });

  it('the fingerprint mark records is the one plan computes for the same commit', async () => {
    const repo = tempRepo(layout);
    const head = repo.commit();
    const plan = await repo.plan();
    await repo.mark(head);
    const state = JSON.parse(readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8')) as {
      services: Record<string, { fingerprint: string }>;
    };
    for (const service of plan.services)
      expect(state.services[service.name]?.fingerprint).toBe(service.fingerprint);
  });

  it('show on an empty stage says so', async () => {
    const repo = tempRepo(layout);
    repo.commit();
    const shown = await repo.run(['state', 'show', '--stage', 'prod']);
    expect(shown.stdout).toBe('nothing recorded for stage prod (.shipgraph/state/prod.json)');
  });

  it('a corrupt state file is a one-line error and is left as it was', async () => {
    const repo = tempRepo(layout);
    repo.commit();
    repo.write({
      '.shipgraph/state/staging.json': '{"version": 1, "services": {"@acme/orders": {"commit": "abc"}}}',
    });
    for (const args of [['plan'], ['state', 'mark', '--no-check-stacks']]) {
      const result = await repo.run(args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe(
        'shipgraph: E_STATE_INVALID: .shipgraph/state/staging.json has a malformed record for @acme/orders (fix: fix or delete it, then run "shipgraph state mark --stage staging" to record what is deployed)',
      );
    }
    expect(readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8')).toBe(
      '{"version": 1, "services": {"@acme/orders": {"commit": "abc"}}}',
    );
  });

  it('mark with an unknown service records nothing', async () => {
    const repo = tempRepo(layout);
    repo.commit();
    const result = await repo.run(['state', 'mark', '--only', 'nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('E_UNKNOWN_SERVICE: no service named "nope"');
    expect((await repo.run(['state', 'show'])).stdout).toContain('nothing recorded');
  });
});
