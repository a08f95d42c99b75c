// E2e runs in the same DAG as the deploys, with real processes: each starts once its service and the
// services it depends on have deployed, beside other deploys and e2e runs, within its own cap.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, spawnDeploy, until, type SummaryJson } from './helpers/deploys.js';
import type { TestRepo } from './helpers/repo.js';

const FAKE_E2E = fileURLToPath(new URL('./fixtures/fake-e2e.mjs', import.meta.url));

/** Makes a step wait until each service's e2e run has reached `event` (or `maxMs` has passed). */
const afterE2e = (services: string[], event: 'start' | 'end', maxMs: number) => ({
  waitForTraced: services.map((service) => ({ file: 'e2e-trace.jsonl', service, event })),
  waitMaxMs: maxMs,
});

/** Services of `commandRepo` whose e2e script is the fake suite (all of them unless named). */
function pipelineRepo(graph: Record<string, string[]>, tested: string[] = Object.keys(graph)): TestRepo {
  const repo = commandRepo(graph);
  for (const name of tested) {
    const file = join(repo.dir, `services/${name}/package.json`);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as object;
    repo.write({
      [`services/${name}/package.json`]: {
        ...manifest,
        scripts: { 'test:e2e': `node ${FAKE_E2E} ${repo.dir}` },
      },
    });
  }
  repo.write({
    '.gitignore':
      '.shipgraph/\ndeploy-behaviour.json\ndeploy-trace.jsonl\ne2e-behaviour.json\ne2e-trace.jsonl\n.attempts-*\ngo\n',
  });
  return repo;
}

interface Traced {
  service: string;
  event: string;
  t: number;
}

const traceOf = (repo: TestRepo, file: string): Traced[] =>
  existsSync(join(repo.dir, file))
    ? readFileSync(join(repo.dir, file), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Traced)
    : [];

/** When each process of the run started and ended, as the processes themselves wrote it. */
function spans(repo: TestRepo) {
  const at = (file: string, service: string, event: string): number => {
    const found = traceOf(repo, file).find((entry) => entry.service === service && entry.event === event);
    if (found === undefined) throw new Error(`no ${event} of ${service} in ${file}`);
    return found.t;
  };
  return {
    deploy: (service: string) => ({
      start: at('deploy-trace.jsonl', service, 'start'),
      end: at('deploy-trace.jsonl', service, 'end'),
    }),
    e2e: (service: string) => ({ start: at('e2e-trace.jsonl', service, 'start') }),
    e2eEnd: (service: string, event = 'end') => at('e2e-trace.jsonl', service, event),
  };
}

const e2eOf = (summary: SummaryJson | null): Record<string, string> =>
  Object.fromEntries((summary?.e2e ?? []).map((result) => [result.service, result.status]));

const statusOf = (summary: SummaryJson | null): Record<string, string> =>
  Object.fromEntries((summary?.results ?? []).map((result) => [result.service, result.status]));

describe('e2e runs in the DAG', () => {
  it("starts a service's e2e run while an unrelated deploy is still running", async () => {
    const repo = pipelineRepo({ quick: [], slow: [] });
    repo.write({
      // slow deploys until quick's e2e run has ended: that is, for ever if e2e runs waited for every deploy.
      'deploy-behaviour.json': { quick: { sleepMs: 50 }, slow: afterE2e(['quick'], 'end', 20_000) },
      'e2e-behaviour.json': { quick: { sleepMs: 50 }, slow: { sleepMs: 50 } },
    });
    repo.commit();
    const { exitCode, summary } = await deploy(repo);
    expect(exitCode).toBe(0);
    expect(e2eOf(summary)).toEqual({ quick: 'passed', slow: 'passed' });
    const seen = spans(repo);
    expect(seen.e2e('quick').start).toBeLessThan(seen.deploy('slow').end);
    expect(seen.e2eEnd('quick')).toBeLessThan(seen.deploy('slow').end);
    // The summary tells the same times the processes saw.
    const quick = summary?.e2e?.find((result) => result.service === 'quick');
    expect(quick?.startedAt).toBeLessThanOrEqual(seen.e2e('quick').start);
    expect(quick?.endedAt).toBeGreaterThanOrEqual(seen.e2eEnd('quick'));
  });

  it('never starts an e2e run before its service and what it depends on in this run have deployed', async () => {
    // api ← web ← page, each deploy quicker than the one before: each e2e run still waits.
    const repo = pipelineRepo({ api: [], web: ['api'], page: ['web'] });
    repo.write({
      'deploy-behaviour.json': { api: { sleepMs: 700 }, web: { sleepMs: 400 }, page: { sleepMs: 100 } },
    });
    repo.commit();
    const { exitCode, summary } = await deploy(repo);
    expect(exitCode).toBe(0);
    expect(e2eOf(summary)).toEqual({ api: 'passed', web: 'passed', page: 'passed' });
    const seen = spans(repo);
    expect(seen.e2e('api').start).toBeGreaterThanOrEqual(seen.deploy('api').end);
    expect(seen.e2e('web').start).toBeGreaterThanOrEqual(seen.deploy('web').end);
    expect(seen.e2e('page').start).toBeGreaterThanOrEqual(seen.deploy('page').end);
    expect(seen.deploy('web').start).toBeGreaterThanOrEqual(seen.deploy('api').end);
    expect(seen.deploy('page').start).toBeGreaterThanOrEqual(seen.deploy('web').end);
  });

  it('tests a service that does not deploy again (its e2e never passed) only after what it depends on deployed', async () => {
    const repo = pipelineRepo({ api: [], report: ['api'] });
    repo.commit();
    expect((await deploy(repo, ['--skip-e2e'])).exitCode).toBe(0);
    // api deployed last from an edited checkout: it deploys again, report (untested) does not.
    repo.write({ 'services/api/src/index.js': 'export const name = "api, edited";\n' });
    expect((await deploy(repo, ['--only', 'api', '--all', '--allow-dirty', '--skip-e2e'])).exitCode).toBe(0);
    repo.git('checkout', '--', 'services/api/src/index.js');
    repo.remove('deploy-trace.jsonl');
    repo.write({ 'deploy-behaviour.json': { api: { sleepMs: 600 } } });
    const { exitCode, summary } = await deploy(repo);
    expect(exitCode).toBe(0);
    expect(statusOf(summary)).toEqual({ api: 'deployed', report: 'skipped' });
    expect(e2eOf(summary)).toEqual({ api: 'passed', report: 'passed' });
    expect(spans(repo).e2e('report').start).toBeGreaterThanOrEqual(spans(repo).deploy('api').end);
  });

  it('runs e2e runs side by side by default, and one at a time with --e2e-concurrency 1', async () => {
    const overlaps = async (args: string[]): Promise<boolean> => {
      const repo = pipelineRepo({ a: [], b: [], c: [] });
      // Each e2e run waits (a while at most) for the others to start: they overlap when they may.
      repo.write({
        'e2e-behaviour.json': {
          a: afterE2e(['b', 'c'], 'start', 1500),
          b: afterE2e(['a', 'c'], 'start', 1500),
          c: afterE2e(['a', 'b'], 'start', 1500),
        },
      });
      repo.commit();
      const { exitCode, summary } = await deploy(repo, args);
      expect(exitCode).toBe(0);
      expect(e2eOf(summary)).toEqual({ a: 'passed', b: 'passed', c: 'passed' });
      const seen = spans(repo);
      const runs = ['a', 'b', 'c']
        .map((name) => ({ start: seen.e2e(name).start, end: seen.e2eEnd(name) }))
        .sort((x, y) => x.start - y.start);
      return runs.some((run, i) => i > 0 && run.start < (runs[i - 1]?.end ?? 0));
    };
    expect(await overlaps([])).toBe(true);
    expect(await overlaps(['--e2e-concurrency', '1'])).toBe(false);
  });

  it('takes the e2e cap from the config, and the flag over it', async () => {
    const repo = pipelineRepo({ a: [], b: [] });
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': { ...config, e2e: { concurrency: 1 } },
      'e2e-behaviour.json': { a: afterE2e(['b'], 'start', 1500), b: afterE2e(['a'], 'start', 1500) },
    });
    repo.commit();
    const overlapped = (): boolean => {
      const seen = spans(repo);
      const [first, second] = ['a', 'b']
        .map((name) => ({ start: seen.e2e(name).start, end: seen.e2eEnd(name) }))
        .sort((x, y) => x.start - y.start);
      return (second?.start ?? 0) < (first?.end ?? 0);
    };
    expect((await deploy(repo)).exitCode).toBe(0);
    expect(overlapped()).toBe(false);
    repo.remove('e2e-trace.jsonl');
    expect((await deploy(repo, ['--all', '--e2e-concurrency', '2'])).exitCode).toBe(0);
    expect(overlapped()).toBe(true);
  });

  it('a failed e2e run fails the run but blocks nothing by default; with the gate its dependents wait and are blocked', async () => {
    const failing = () => {
      const repo = pipelineRepo({ api: [], web: ['api'], cron: [] });
      repo.write({ 'e2e-behaviour.json': { api: { fail: true, sleepMs: 200 } } });
      repo.commit();
      return repo;
    };
    const plain = failing();
    const open = await deploy(plain);
    expect(open.exitCode).toBe(1);
    expect(statusOf(open.summary)).toEqual({ api: 'deployed', web: 'deployed', cron: 'deployed' });
    expect(e2eOf(open.summary)).toEqual({ api: 'failed', web: 'passed', cron: 'passed' });

    const gated = failing();
    const closed = await deploy(gated, ['--e2e-gate']);
    expect(closed.exitCode).toBe(1);
    expect(statusOf(closed.summary)).toEqual({ api: 'deployed', web: 'blocked', cron: 'deployed' });
    expect(closed.summary?.results.find((result) => result.service === 'web')?.error).toBe(
      'blocked by api@us-east-1 e2e',
    );
    expect(e2eOf(closed.summary)).toEqual({ api: 'failed', web: 'skipped', cron: 'passed' });
    expect(traceOf(gated, 'deploy-trace.jsonl').map((entry) => entry.service)).not.toContain('web');
    expect(closed.stderr).toContain('[web/us-east-1] blocked: api e2e failed');

    // Passing, the gate lets web deploy after api's e2e run ended.
    gated.write({ 'e2e-behaviour.json': { api: { sleepMs: 200 } } });
    const passing = await deploy(gated, ['--e2e-gate']);
    expect(passing.exitCode).toBe(0);
    expect(e2eOf(passing.summary)).toEqual({ api: 'passed', web: 'passed' });
    expect(spans(gated).deploy('web').start).toBeGreaterThanOrEqual(spans(gated).e2eEnd('api'));
  });

  it('SIGTERM while deploys and e2e runs overlap: nothing new starts, running steps get it, what finished is recorded', async () => {
    // api deploys quickly and its e2e run holds; slow is deploying meanwhile; after waits on slow.
    const repo = pipelineRepo({ api: [], slow: [], after: ['slow'] });
    repo.write({
      'deploy-behaviour.json': { slow: { waitFor: 'go' } },
      'e2e-behaviour.json': { api: { waitFor: 'go' } },
    });
    repo.commit();
    const run = spawnDeploy(repo.dir);
    await until(
      () =>
        traceOf(repo, 'e2e-trace.jsonl').some(
          (entry) => entry.service === 'api' && entry.event === 'start',
        ) &&
        traceOf(repo, 'deploy-trace.jsonl').some(
          (entry) => entry.service === 'slow' && entry.event === 'start',
        ),
      'api e2e and slow deploy running together',
    );
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(143);
    const summary = JSON.parse(run.stdout()) as SummaryJson;
    expect(summary.interrupted).toBe('SIGTERM');
    // The running e2e run got the signal and proves nothing: api stays untested; after never started.
    expect(traceOf(repo, 'e2e-trace.jsonl').map((entry) => `${entry.service} ${entry.event}`)).toEqual([
      'api start',
      'api SIGTERM',
    ]);
    expect(traceOf(repo, 'deploy-trace.jsonl').map((entry) => entry.service)).not.toContain('after');
    expect(statusOf(summary)).toMatchObject({ api: 'deployed', slow: 'failed', after: 'blocked' });
    expect(e2eOf(summary)).toMatchObject({ api: 'skipped' });
    const state = JSON.parse(readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8')) as {
      services: Record<string, { e2e?: { status: string } }>;
    };
    expect(Object.keys(state.services)).toEqual(['api']);
    expect(state.services.api?.e2e?.status).toBe('untested');
    expect(existsSync(join(repo.dir, '.shipgraph/state/staging.lock'))).toBe(false);
    const stderr = run.stderr().join('\n');
    const afterSignal = stderr.slice(stderr.indexOf('received SIGTERM'));
    expect(afterSignal).not.toMatch(/\] \$ /);
  });
});
