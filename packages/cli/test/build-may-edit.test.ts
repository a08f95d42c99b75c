// Files the build edits on purpose before it deploys (a CI step that fills a config from the
// environment): the deploy goes ahead and records what they held; any other change is still refused.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';

interface Recorded {
  dirty?: boolean;
  edited?: { path: string; sha256: string }[];
}

const recorded = (dir: string): Record<string, Recorded> =>
  (
    JSON.parse(readFileSync(join(dir, '.shipgraph/state/staging.json'), 'utf8')) as {
      services: Record<string, Recorded>;
    }
  ).services;

describe('checkout.buildMayEdit', () => {
  it('deploys with the files the build may edit changed, records their hashes, and refuses anything else', async () => {
    const repo = commandRepo({ orders: [], search: [] });
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': { ...config, checkout: { buildMayEdit: ['services/*/config.json'] } },
      'services/orders/config.json': '{ "apiUrl": "__API_URL__" }\n',
    });
    repo.commit();
    // What the repository's own CI does first: sed -i "s|__API_URL__|$API_URL|" services/orders/config.json
    const filled = '{ "apiUrl": "https://api.example.com" }\n';
    repo.write({ 'services/orders/config.json': filled });

    const run = await deploy(repo, ['--skip-e2e']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statusOf(run.summary)).toEqual({ orders: 'deployed', search: 'deployed' });
    expect(run.stderr).toContain(
      'the build edited services/orders/config.json (checkout.buildMayEdit): recorded with what it holds',
    );
    const sha256 = createHash('sha256').update(filled).digest('hex');
    expect(recorded(repo.dir).orders).toMatchObject({
      edited: [{ path: 'services/orders/config.json', sha256 }],
    });
    expect(recorded(repo.dir).orders?.dirty).toBeUndefined();
    // Not dirty: nothing deploys again for it.
    const again = await deploy(repo, ['--skip-e2e']);
    expect(statusOf(again.summary)).toEqual({ orders: 'skipped', search: 'skipped' });

    // Any other tracked file changed is refused as before, named alone.
    repo.write({ 'services/search/src/index.js': 'export const name = "edited by hand";\n' });
    const refused = await deploy(repo, ['--skip-e2e']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('E_DIRTY_CHECKOUT: cannot deploy: 1 tracked file differs from');
    expect(refused.stderr).toContain(': services/search/src/index.js (fix:');
  });
});
