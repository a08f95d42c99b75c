// Pull request preview stages: deploy what the pull request changes and what that needs to pr-<n>,
// compare with the merge base until a service is recorded there, and remove it all on merge or close.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf, timesOf, type SummaryJson } from './helpers/deploys.js';
import { cloneOf, shallowClone, type TestRepo } from './helpers/repo.js';

const pullRequest = (event: string, extra: Record<string, string> = {}) => ({
  CODEBUILD_WEBHOOK_TRIGGER: 'pr/5',
  CODEBUILD_WEBHOOK_EVENT: event,
  CODEBUILD_WEBHOOK_BASE_REF: 'refs/heads/main',
  ...extra,
});

const deployed = (summary: SummaryJson | null): string[] =>
  Object.entries(statusOf(summary))
    .filter(([, status]) => status === 'deployed')
    .map(([service]) => service)
    .sort();

const recorded = (repo: TestRepo, stage: string): string[] => {
  const file = join(repo.dir, `.shipgraph/state/${stage}.json`);
  if (!existsSync(file)) return [];
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { services: object }).services).sort();
};

/** api ← worker, api ← web, and solo; main is deployed to staging, and a pull request branches off it. */
async function withPullRequest(): Promise<TestRepo> {
  const repo = commandRepo({ api: [], worker: ['api'], web: ['api'], solo: [] });
  const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
  repo.write({
    'shipgraph.config.json': {
      ...config,
      stages: { staging: {}, 'pr-*': {} },
      triggers: { branches: { main: 'staging' }, pullRequests: 'preview' },
    },
  });
  repo.commit('services');
  expect((await deploy(repo, [], { CODEBUILD_WEBHOOK_TRIGGER: 'branch/main' })).exitCode).toBe(0);
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'services/worker/src/index.js': "export const name = 'worker v2';\n" });
  repo.commit('change the worker');
  return repo;
}

describe('preview stages', () => {
  it('deploys what the pull request changed, and what that needs and pr-<n> lacks, first', async () => {
    const repo = await withPullRequest();
    const created = await deploy(repo, [], pullRequest('PULL_REQUEST_CREATED'));
    expect(created.exitCode).toBe(0);
    expect(created.stderr.split('\n')[0]).toBe(
      'shipgraph deploy: pull request #5 (PULL_REQUEST_CREATED) → preview stage pr-5 (triggers.pullRequests: preview)',
    );
    expect(created.summary?.stage).toBe('pr-5');
    expect(deployed(created.summary)).toEqual(['api', 'worker']);
    expect(created.stderr).toContain('api: needed by worker (not deployed in this stage yet)');
    expect(timesOf(created.summary, 'api').end).toBeLessThanOrEqual(timesOf(created.summary, 'worker').start);
    expect(recorded(repo, 'pr-5')).toEqual(['api', 'worker']);
    expect(recorded(repo, 'staging')).toEqual(['api', 'solo', 'web', 'worker']);
  });

  it('on an update, compares recorded services with their record and the rest with the merge base', async () => {
    const repo = await withPullRequest();
    expect((await deploy(repo, [], pullRequest('PULL_REQUEST_CREATED'))).exitCode).toBe(0);
    // main moves on (solo changes there); the pull request changes web. Only web is the pull request's.
    repo.git('checkout', '-q', 'main');
    repo.write({ 'services/solo/src/index.js': "export const name = 'solo v2';\n" });
    repo.commit('change solo on main');
    repo.git('checkout', '-q', 'feature');
    repo.write({ 'services/web/src/index.js': "export const name = 'web v2';\n" });
    repo.commit('change web');
    const updated = await deploy(repo, [], pullRequest('PULL_REQUEST_UPDATED'));
    expect(updated.exitCode).toBe(0);
    expect(deployed(updated.summary)).toEqual(['web']);
    const plan = await repo.plan([], pullRequest('PULL_REQUEST_UPDATED'));
    expect(plan.stage).toBe('pr-5');
    expect(plan.services.filter((service) => service.deploy)).toEqual([]);
    const mergeBase = repo.git('merge-base', 'main', 'HEAD');
    expect(plan.services.find((service) => service.name === 'solo')?.base).toBe(mergeBase);
  });

  it('a merged or closed pull request removes its whole preview stage, dependents first', async () => {
    const repo = await withPullRequest();
    expect((await deploy(repo, [], pullRequest('PULL_REQUEST_CREATED'))).exitCode).toBe(0);
    const plan = await repo.plan([], pullRequest('PULL_REQUEST_MERGED'));
    expect(plan.skipped).toEqual({ reason: 'preview-teardown', trigger: 'pr/5' });
    const merged = await repo.run(['deploy'], pullRequest('PULL_REQUEST_MERGED'));
    expect(merged.exitCode).toBe(0);
    expect(merged.stderr.split('\n')[0]).toBe(
      'shipgraph deploy: pull request #5 (PULL_REQUEST_MERGED): its preview stage pr-5 is removed (triggers.pullRequests: preview)',
    );
    expect([...merged.stderr.matchAll(/removing (\w+) from (\S+)/g)].map((match) => match.slice(1))).toEqual([
      ['worker', 'pr-5/us-east-1'],
      ['api', 'pr-5/us-east-1'],
    ]);
    expect(merged.stdout).toBe('worker  removed\napi  removed');
    expect(recorded(repo, 'pr-5')).toEqual([]);
    expect(recorded(repo, 'staging')).toEqual(['api', 'solo', 'web', 'worker']);
    // Closing it again (or a retried build) finds nothing left to remove.
    const again = await repo.run(['deploy'], pullRequest('PULL_REQUEST_CLOSED'));
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('nothing recorded in stage pr-5');
  });

  it('finds the merge base through origin/<branch> in a CI clone, and says what to do in a shallow one', async () => {
    const repo = await withPullRequest();
    const clone = cloneOf(repo, '--branch', 'feature');
    expect(() => clone.git('rev-parse', '--verify', '--quiet', 'refs/heads/main')).toThrow();
    const plan = await clone.plan([], pullRequest('PULL_REQUEST_CREATED'));
    expect(plan.services.filter((service) => service.deploy).map((service) => service.name)).toEqual([
      'api',
      'worker',
    ]);
    const shallow = await shallowClone(repo, '--branch', 'feature').run(
      ['plan'],
      pullRequest('PULL_REQUEST_CREATED'),
    );
    expect(shallow.exitCode).toBe(2);
    expect(shallow.stderr).toContain(
      '(fix: clone with full history (GitCloneDepth: 0 on the preview project), or pass --base <commit>)',
    );
  });

  it('says how to find the merge base when it cannot', async () => {
    const repo = await withPullRequest();
    const unset = await deploy(
      repo,
      [],
      pullRequest('PULL_REQUEST_CREATED', { CODEBUILD_WEBHOOK_BASE_REF: '' }),
    );
    expect(unset.exitCode).toBe(2);
    expect(unset.stderr).toContain(
      'shipgraph: E_PREVIEW_BASE: a preview stage needs the branch the pull request goes into, and CODEBUILD_WEBHOOK_BASE_REF is not set (fix: set CODEBUILD_WEBHOOK_BASE_REF=refs/heads/<branch>, or pass --base <commit>)',
    );
    const missing = await deploy(
      repo,
      [],
      pullRequest('PULL_REQUEST_CREATED', { CODEBUILD_WEBHOOK_BASE_REF: 'refs/heads/develop' }),
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(
      'E_PREVIEW_BASE: cannot find where the pull request branched from develop: no refs/remotes/origin/develop or refs/heads/develop in this clone',
    );
    expect(recorded(repo, 'pr-5')).toEqual([]);
  });
});
