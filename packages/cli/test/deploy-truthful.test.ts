// deploy ships exactly the planned commit, and says what really changed in the cloud.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reasonsOf } from './helpers/repo.js';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';

const stateFile = (dir: string): string => join(dir, '.shipgraph/state/staging.json');
const recorded = (dir: string) =>
  (
    JSON.parse(readFileSync(stateFile(dir), 'utf8')) as {
      services: Record<
        string,
        { commit: string; dirty?: boolean; changed?: boolean | null; fingerprint: string | null }
      >;
    }
  ).services;

describe('deploy: the checkout must be the planned commit, as committed', () => {
  it('refuses tracked changes and another commit before taking the lock, leaving the state as it was', async () => {
    const repo = commandRepo({ a: [], b: ['a'] });
    const first = repo.commit('initial');
    expect((await deploy(repo)).exitCode).toBe(0);
    const before = readFileSync(stateFile(repo.dir), 'utf8');

    repo.write({ 'services/b/src/index.js': "export const name = 'b, edited';\n" });
    const dirty = await deploy(repo);
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stdout).toBe('');
    expect(dirty.stderr.split('\n').at(-1)).toBe(
      `shipgraph: E_DIRTY_CHECKOUT: cannot deploy: 1 tracked file differs from ${first.slice(0, 12)}: services/b/src/index.js (fix: commit or stash the changes, list files the build edits on purpose in checkout.buildMayEdit, or pass --allow-dirty to deploy them, recorded as dirty (deployed again next time))`,
    );
    // A staged change is a change too; so is a plan file run from a dirty checkout.
    repo.git('add', 'services/b/src/index.js');
    expect((await deploy(repo)).exitCode).toBe(2);
    const planned = await repo.run(['plan', '--json']);
    repo.write({ 'plan.json': planned.stdout });
    expect((await deploy(repo, ['--plan', 'plan.json'])).stderr).toContain('E_DIRTY_CHECKOUT');
    repo.git('checkout', '--', '.');
    repo.git('reset', '-q');

    repo.write({ 'services/a/src/index.js': "export const name = 'a2';\n" });
    repo.commit('a2');
    const elsewhere = await deploy(repo, ['--head', 'HEAD~1']);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toMatch(
      /shipgraph: E_CHECKOUT_MISMATCH: cannot deploy: the checkout is at [0-9a-f]{12}, not at the planned [0-9a-f]{12} \(fix: check out /,
    );
    expect(readFileSync(stateFile(repo.dir), 'utf8')).toBe(before);
    expect(existsSync(join(repo.dir, '.shipgraph/state/staging.lock'))).toBe(false);
  });

  it('untracked files (build output) are fine', async () => {
    const repo = commandRepo({ a: [] });
    repo.commit();
    repo.write({ 'services/a/dist/bundle.js': '// built\n' });
    expect((await deploy(repo)).exitCode).toBe(0);
  });

  it('--allow-dirty deploys, records the deploy as dirty, and the next plan deploys it again', async () => {
    const repo = commandRepo({ a: [], b: [] });
    const head = repo.commit();
    repo.write({ 'services/a/src/index.js': "export const name = 'a, trying something';\n" });
    const result = await deploy(repo, ['--allow-dirty']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      `warning: 1 tracked file differs from ${head.slice(0, 12)}: services/a/src/index.js; deploying it anyway (--allow-dirty): recorded as dirty, deployed again next time`,
    );
    expect(recorded(repo.dir).a).toMatchObject({ commit: head, dirty: true, fingerprint: null });
    repo.git('checkout', '--', '.');
    const plan = await repo.plan();
    expect(reasonsOf(plan, 'a')).toEqual([
      {
        kind: 'dirty',
        detail: `deployed last from a checkout that differed from ${head.slice(0, 12)} (--allow-dirty)`,
      },
    ]);
    expect(statusOf((await deploy(repo)).summary)).toEqual({ a: 'deployed', b: 'deployed' });
    expect(recorded(repo.dir).a?.dirty).toBeUndefined();
    expect(statusOf((await deploy(repo)).summary)).toEqual({ a: 'skipped', b: 'skipped' });
  });
});

describe('deploy: what changed in the cloud', () => {
  it('a deploy whose tool found nothing to change is unchanged, in the summary, the JSON and the state', async () => {
    const repo = commandRepo({ a: [], b: [] });
    repo.write({ 'deploy-behaviour.json': { b: { noChange: true } } });
    repo.commit();
    const json = await deploy(repo);
    expect(statusOf(json.summary)).toEqual({ a: 'deployed', b: 'unchanged' });
    const byService = Object.fromEntries(
      (json.summary?.results ?? []).map((result) => [result.service, result]),
    );
    // The command deployer cannot tell for a tool that does not say: null, not a guess.
    expect(byService.a).toMatchObject({ changed: null });
    expect(byService.b).toMatchObject({ changed: false });
    expect(recorded(repo.dir).a?.changed).toBeNull();
    expect(recorded(repo.dir).b?.changed).toBe(false);
    expect(json.stderr).toContain(
      '[b/us-east-1] nothing changed: the deploy found everything already as it is',
    );

    repo.write({ 'services/b/src/index.js': "export const name = 'b2';\n" });
    repo.commit('b2');
    const table = await repo.run(['deploy', '--no-check-stacks']);
    expect(table.stdout).toMatch(/^b +us-east-1 +unchanged /m);
    expect(table.stdout).toMatch(/: 0 deployed, 1 unchanged, 0 failed, 0 blocked, 1 skipped/);
  });

  it('keeps colour codes out of the log files', async () => {
    const repo = commandRepo({ a: [] });
    repo.write({ 'deploy-behaviour.json': { a: { colour: true } } });
    repo.commit();
    const result = await deploy(repo);
    expect(result.stderr).toContain('\u001b[32m✔');
    const log = readFileSync(join(repo.dir, '.shipgraph/logs/staging/a.us-east-1.log'), 'utf8');
    expect(log).toContain('✔ Service deployed to stack a\n');
    expect(log).not.toContain('\u001b[');
  });
});
