// How CI's environment and the selection flags shape a plan: FORCE_DEPLOY_ALL, pull requests, --only/--exclude, stages.
import { describe, expect, it } from 'vitest';
import { deploying, reasonsOf, tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

const layout = npmWorkspace({
  libs: { util: [] },
  services: { orders: ['util'], billing: [], site: ['orders'] },
});

async function deployedRepo() {
  const repo = tempRepo(layout);
  await repo.mark(repo.commit('initial'));
  return repo;
}

describe('plan: CI environment and selection', () => {
  it.each(['true', '1', 'TRUE'])('FORCE_DEPLOY_ALL=%s deploys every service, forced', async (value) => {
    const repo = await deployedRepo();
    const plan = await repo.plan([], { FORCE_DEPLOY_ALL: value });
    expect(deploying(plan)).toEqual(['@acme/billing', '@acme/orders', '@acme/site']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'forced' }]);
    expect(plan.batches).toEqual([['@acme/billing', '@acme/orders'], ['@acme/site']]);
  });

  it('--all forces too; FORCE_DEPLOY_ALL=false does not', async () => {
    const repo = await deployedRepo();
    expect(deploying(await repo.plan(['--all']))).toHaveLength(3);
    expect(deploying(await repo.plan([], { FORCE_DEPLOY_ALL: 'false' }))).toEqual([]);
  });

  it('a FORCE_DEPLOY_ALL that is not a boolean is a usage error', async () => {
    const repo = await deployedRepo();
    const result = await repo.run(['plan'], { FORCE_DEPLOY_ALL: 'sometimes' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('E_ENV: FORCE_DEPLOY_ALL="sometimes" is not a boolean');
  });

  it('a pr/12 trigger plans a pull request: nothing deploys, the reasons still show', async () => {
    const repo = await deployedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    repo.commit();
    const plan = await repo.plan([], { CODEBUILD_WEBHOOK_TRIGGER: 'pr/12' });
    expect(plan.skipped).toEqual({ reason: 'pull-request', trigger: 'pr/12' });
    expect(deploying(plan)).toEqual([]);
    expect(plan.batches).toEqual([]);
    expect(reasonsOf(plan, '@acme/billing')).toEqual([
      { kind: 'changed', files: ['services/billing/src/handler.ts'] },
    ]);
    const table = await repo.run(['plan'], { CODEBUILD_WEBHOOK_TRIGGER: 'pr/12' });
    expect(table.stdout).toContain('pull request (pr/12): nothing deploys');
  });

  it('branch and tag triggers are not pull requests', async () => {
    const repo = await deployedRepo();
    expect((await repo.plan([], { CODEBUILD_WEBHOOK_TRIGGER: 'branch/main' })).skipped).toBeNull();
    expect((await repo.plan([], { CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.0.0' })).skipped).toBeNull();
  });

  it('--only and --exclude narrow the services considered, by full or unscoped name', async () => {
    const repo = await deployedRepo();
    const only = await repo.plan(['--all', '--only', 'orders,@acme/site']);
    expect(only.services.map((service) => service.name)).toEqual(['@acme/orders', '@acme/site']);
    const excluded = await repo.plan(['--all', '--exclude', 'billing']);
    expect(deploying(excluded)).toEqual(['@acme/orders', '@acme/site']);
  });

  it('an unknown service name is a one-line error listing the known ones', async () => {
    const repo = await deployedRepo();
    const result = await repo.run(['plan', '--only', 'ordrs']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'shipgraph: E_UNKNOWN_SERVICE: no service named "ordrs" (fix: known services: @acme/billing, @acme/orders, @acme/site)',
    );
  });

  it('--stage, else STAGE, picks the stage whose state is read', async () => {
    const repo = tempRepo(layout);
    const head = repo.commit();
    await repo.mark(head, undefined, 'prod');
    expect(deploying(await repo.plan(['--stage', 'prod']))).toEqual([]);
    expect((await repo.plan([], { STAGE: 'prod' })).stage).toBe('prod');
    expect(deploying(await repo.plan([], { STAGE: 'prod' }))).toEqual([]);
    const staging = await repo.plan();
    expect(staging.stage).toBe('staging');
    expect(deploying(staging)).toHaveLength(3);
  });

  it('with stages in the config, an undeclared stage is rejected and globs match', async () => {
    const repo = tempRepo({
      ...layout,
      'shipgraph.config.json': { stages: { staging: { regions: ['eu-west-1'] }, 'pr-*': {} } },
    });
    repo.commit();
    const typo = await repo.run(['plan', '--stage', 'prdo']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('E_UNKNOWN_STAGE: stage "prdo" is not declared in shipgraph.config.json');
    expect((await repo.plan(['--stage', 'pr-7'])).stage).toBe('pr-7');
  });

  it('an unknown ref and a directory outside git are one-line errors with exit 2', async () => {
    const repo = await deployedRepo();
    const badRef = await repo.run(['plan', '--base', 'no-such-branch']);
    expect(badRef.exitCode).toBe(2);
    expect(badRef.stderr).toMatch(/^shipgraph: E_UNKNOWN_REF: unknown git ref "no-such-branch" \(fix: .+\)$/);
    repo.remove('.git');
    const notRepo = await repo.run(['plan']);
    expect(notRepo.exitCode).toBe(2);
    expect(notRepo.stderr).toMatch(/^shipgraph: E_NOT_A_REPO: .+ is not inside a git repository/);
    expect(notRepo.stderr).not.toContain('    at ');
  });

  it('--debug adds the stack trace to an error', async () => {
    const repo = await deployedRepo();
    const result = await repo.run(['plan', '--head', 'nope', '--debug']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('    at ');
  });
});
