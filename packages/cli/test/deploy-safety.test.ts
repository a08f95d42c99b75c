// `shipgraph deploy` under stress: killed mid-run, two runs on one stage, signals, saved plans.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf, until, type SummaryJson } from './helpers/deploys.js';
import { BIN } from './helpers/repo.js';

const stateFile = (dir: string) => join(dir, '.shipgraph/state/staging.json');
const lockFile = (dir: string) => join(dir, '.shipgraph/state/staging.lock');
const recorded = (dir: string): string[] =>
  existsSync(stateFile(dir))
    ? Object.keys((JSON.parse(readFileSync(stateFile(dir), 'utf8')) as { services: object }).services).sort()
    : [];

/** Starts `shipgraph deploy` in the background, in its own process group. */
function startDeploy(dir: string, args: string[] = []) {
  return execa('node', [BIN, 'deploy', '--json', '--no-check-stacks', ...args], {
    cwd: dir,
    detached: true,
    reject: false,
    env: { CODEBUILD_WEBHOOK_TRIGGER: '', STAGE: '', FORCE_DEPLOY_ALL: '' },
  });
}

describe('deploy: safety', () => {
  it('after kill -9 mid-run, the next run deploys exactly the unfinished services', async () => {
    const repo = commandRepo({ a: [], b: ['a'], c: [] });
    repo.write({ 'deploy-behaviour.json': { b: { sleepMs: 30_000 } } });
    repo.commit();
    const run = startDeploy(repo.dir);
    await until(
      () => recorded(repo.dir).length === 2 && existsSync(join(repo.dir, '.attempts-b')),
      'a and c to finish',
    );
    expect(recorded(repo.dir)).toEqual(['a', 'c']);
    process.kill(-(run.pid ?? 0), 'SIGKILL');
    await run;
    expect(existsSync(lockFile(repo.dir))).toBe(true);

    repo.write({ 'deploy-behaviour.json': {} });
    const again = await deploy(repo);
    expect(again.exitCode).toBe(0);
    expect(statusOf(again.summary)).toEqual({ a: 'skipped', b: 'deployed', c: 'skipped' });
    expect(again.stderr).toMatch(
      /lock of stage staging was held by .+, which is no longer running; taking it over/,
    );
    expect(recorded(repo.dir)).toEqual(['a', 'b', 'c']);
  });

  it('two runs on one stage never deploy at once: one fails clearly or waits and finds nothing to do', async () => {
    const repo = commandRepo({ a: [] });
    // The first run's deploy holds until the test lets it go, so the other runs surely meet its lock.
    repo.write({
      'deploy-behaviour.json': { a: { waitFor: 'release-a' } },
      '.gitignore': '.shipgraph/\ndeploy-behaviour.json\n.attempts-*\nrelease-a\n',
    });
    repo.commit();
    const first = startDeploy(repo.dir);
    await until(() => existsSync(join(repo.dir, '.attempts-a')), 'the first run to start deploying');

    const impatient = await deploy(repo, ['--lock-timeout', '0.2']);
    expect(impatient.exitCode).toBe(1);
    expect(impatient.stderr).toMatch(
      /shipgraph: E_LOCKED: stage staging is locked by [^ ]+:\d+ since \S+ \(\.shipgraph\/state\/staging\.lock\) \(fix: wait for that run, or if it is gone: shipgraph unlock --stage staging\)/,
    );

    const patient = startDeploy(repo.dir, ['--lock-timeout', '60', '--retry-delay', '0.1']);
    let patientLog = '';
    patient.stderr.on('data', (chunk: Buffer) => (patientLog += chunk.toString()));
    await until(
      () => /stage staging is locked by .+; waiting up to 60s/.test(patientLog),
      'the second run to wait',
    );
    writeFileSync(join(repo.dir, 'release-a'), '');

    const [firstResult, patientResult] = await Promise.all([first, patient]);
    expect(firstResult.exitCode).toBe(0);
    expect(patientResult.exitCode).toBe(0);
    expect(statusOf(JSON.parse(patientResult.stdout) as SummaryJson)).toEqual({ a: 'skipped' });
    expect(readFileSync(join(repo.dir, '.attempts-a'), 'utf8').split('\n')).toHaveLength(1);
  });

  it('unlock breaks a lock whose owner is gone', async () => {
    const repo = commandRepo({ a: [] });
    repo.commit();
    repo.write({
      '.shipgraph/state/staging.lock': {
        owner: 'build:123',
        host: 'elsewhere',
        pid: 1,
        acquiredAt: 'then',
        expiresAt: Date.now() + 600_000,
      },
    });
    const blocked = await deploy(repo, ['--lock-timeout', '0']);
    expect(blocked.stderr).toContain('E_LOCKED: stage staging is locked by build:123 since then');
    const unlock = await repo.run(['unlock', '--stage', 'staging']);
    expect(unlock.stderr).toBe('removed the lock of stage staging held by build:123 since then');
    expect((await deploy(repo)).exitCode).toBe(0);
  });

  it('SIGTERM starts nothing new, passes the signal on, records what finished and releases the lock', async () => {
    const repo = commandRepo({ quick: [], slow: [], after: ['slow'] });
    repo.write({ 'deploy-behaviour.json': { slow: { sleepMs: 30_000 } } });
    repo.commit();
    const run = startDeploy(repo.dir);
    await until(
      () => recorded(repo.dir).includes('quick') && existsSync(join(repo.dir, '.attempts-slow')),
      'slow to start',
    );
    run.kill('SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.interrupted).toBe('SIGTERM');
    expect(statusOf(summary)).toEqual({ quick: 'deployed', slow: 'failed', after: 'blocked' });
    expect(summary.results.find((entry) => entry.service === 'slow')?.error).toBe(
      'node failed (killed by SIGTERM)',
    );
    expect(result.stderr).toContain(
      'received SIGTERM: starting nothing new, passing it to 1 running process(es)',
    );
    expect(recorded(repo.dir)).toEqual(['quick']);
    expect(existsSync(lockFile(repo.dir))).toBe(false);
  });

  it('--plan runs exactly a saved plan, and refuses one made for another commit', async () => {
    const repo = commandRepo({ a: [], b: [] });
    repo.commit();
    const saved = await repo.run(['plan', '--json', '--only', 'a']);
    writeFileSync(join(repo.dir, 'plan.json'), saved.stdout);
    const ran = await deploy(repo, ['--plan', 'plan.json']);
    expect(statusOf(ran.summary)).toEqual({ a: 'deployed' });

    repo.write({ 'services/b/src/index.js': 'export const v = 2;\n' });
    repo.commit();
    const stale = await deploy(repo, ['--plan', 'plan.json']);
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toMatch(
      /E_PLAN_MISMATCH: plan\.json was planned for [0-9a-f]{12}, but this run is at [0-9a-f]{12}/,
    );
    expect(existsSync(lockFile(repo.dir))).toBe(false);
  });
});
