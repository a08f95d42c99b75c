// `shipgraph deploy` scheduling with real processes: order, concurrency, failures, retries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf, timesOf } from './helpers/deploys.js';

const readState = (dir: string) =>
  JSON.parse(readFileSync(join(dir, '.shipgraph/state/staging.json'), 'utf8')) as {
    services: Record<string, { commit: string; regions: string[] }>;
  };

describe('deploy: scheduling', () => {
  it('starts each service after what it depends on, and runs independent ones at the same time', async () => {
    // a ← b ← d, and c on its own; b reaches a through the library l.
    const repo = commandRepo({ a: [], b: ['l'], c: [], d: ['b'] }, { l: ['a'] });
    repo.write({
      // a and c each wait (10 s at most) until the other has started: they end together if they may.
      'deploy-behaviour.json': {
        a: { waitForTraced: [{ file: 'deploy-trace.jsonl', service: 'c', event: 'start' }] },
        b: { sleepMs: 200 },
        c: { waitForTraced: [{ file: 'deploy-trace.jsonl', service: 'a', event: 'start' }] },
      },
    });
    repo.commit();
    const { exitCode, summary } = await deploy(repo);
    expect(exitCode).toBe(0);
    expect(statusOf(summary)).toEqual({ a: 'deployed', b: 'deployed', c: 'deployed', d: 'deployed' });
    const a = timesOf(summary, 'a');
    const b = timesOf(summary, 'b');
    const c = timesOf(summary, 'c');
    const d = timesOf(summary, 'd');
    expect(b.start).toBeGreaterThanOrEqual(a.end);
    expect(d.start).toBeGreaterThanOrEqual(b.end);
    // a and c have no dependency on each other: they overlap.
    expect(c.start).toBeLessThan(a.end);
    expect(a.start).toBeLessThan(c.end);
  });

  it('--concurrency 1 runs one deploy at a time', async () => {
    const repo = commandRepo({ a: [], b: [], c: [] });
    repo.write({
      'deploy-behaviour.json': { a: { sleepMs: 150 }, b: { sleepMs: 150 }, c: { sleepMs: 150 } },
    });
    repo.commit();
    const { summary } = await deploy(repo, ['--concurrency', '1']);
    const spans = ['a', 'b', 'c'].map((name) => timesOf(summary, name)).sort((x, y) => x.start - y.start);
    let previousEnd = -Infinity;
    for (const span of spans) {
      expect(span.start).toBeGreaterThanOrEqual(previousEnd);
      previousEnd = span.end;
    }
  });

  it('a failure blocks its dependents only; the rest deploy and the state says so', async () => {
    const repo = commandRepo({ a: [], b: ['a'], c: ['b'], d: [] });
    repo.write({ 'deploy-behaviour.json': { a: { fail: true }, d: { sleepMs: 100 } } });
    const head = repo.commit();
    const { exitCode, summary, stdout } = await deploy(repo);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({ a: 'failed', b: 'blocked', c: 'blocked', d: 'deployed' });
    expect(summary?.results.find((result) => result.service === 'c')?.error).toBe('blocked by a@us-east-1');
    expect(summary?.ok).toBe(false);
    expect(Object.keys(readState(repo.dir).services)).toEqual(['d']);
    expect(readState(repo.dir).services.d?.commit).toBe(head);
    expect(readFileSync(join(repo.dir, '.shipgraph/logs/staging/a.us-east-1.log'), 'utf8')).toContain(
      'a: deploy failed on purpose',
    );
    expect(stdout).not.toBe('');

    // Next run: a, b and c deploy again (a is fixed now); d is not redeployed.
    repo.write({ 'deploy-behaviour.json': {} });
    const again = await deploy(repo);
    expect(statusOf(again.summary)).toEqual({ a: 'deployed', b: 'deployed', c: 'deployed', d: 'skipped' });
  });

  it('--fail-fast starts nothing new after the first failure; running deploys finish', async () => {
    const repo = commandRepo({ a: [], slow: [], later: ['a'], after: ['slow'] });
    repo.write({ 'deploy-behaviour.json': { a: { fail: true }, slow: { sleepMs: 500 } } });
    repo.commit();
    const { exitCode, summary } = await deploy(repo, ['--fail-fast']);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({ a: 'failed', slow: 'deployed', later: 'blocked', after: 'blocked' });
    expect(summary?.results.find((result) => result.service === 'after')?.error).toBe(
      'not started: --fail-fast after a@us-east-1 failed',
    );
  });

  it('retries a deploy that failed on throttling, and says so', async () => {
    const repo = commandRepo({ a: [], b: [] });
    repo.write({ 'deploy-behaviour.json': { a: { throttle: 2 }, b: { throttle: 5 } } });
    repo.commit();
    const { exitCode, summary, stderr } = await deploy(repo, ['--retries', '2']);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({ a: 'deployed', b: 'failed' });
    expect(summary?.results.find((result) => result.service === 'a')?.attempts).toBe(3);
    expect(summary?.results.find((result) => result.service === 'b')?.attempts).toBe(3);
    expect(stderr).toContain(
      '[a/us-east-1] transient failure (node failed (exit code 1)); retry 1 of 2 in 0.1s',
    );
  });

  it('does not retry an ordinary failure', async () => {
    const repo = commandRepo({ a: [] });
    repo.write({ 'deploy-behaviour.json': { a: { fail: true } } });
    repo.commit();
    const { summary } = await deploy(repo, ['--retries', '3']);
    expect(summary?.results[0]?.attempts).toBe(1);
  });

  it('deploys each region of the stage, and records the service once all its regions succeeded', async () => {
    const repo = commandRepo({ a: [], b: ['a'] });
    repo.write({
      'shipgraph.config.json': {
        ...(JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object),
        stages: { staging: { regions: ['eu-west-1', 'us-east-1'] } },
      },
    });
    repo.commit();
    const { summary } = await deploy(repo);
    expect(summary?.results.map((result) => `${result.service}@${result.region}:${result.status}`)).toEqual([
      'a@eu-west-1:deployed',
      'a@us-east-1:deployed',
      'b@eu-west-1:deployed',
      'b@us-east-1:deployed',
    ]);
    expect(readState(repo.dir).services.b?.regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('a pull request trigger deploys nothing and takes no lock', async () => {
    const repo = commandRepo({ a: [] });
    repo.commit();
    const result = await repo.run(['deploy', '--json'], { CODEBUILD_WEBHOOK_TRIGGER: 'pr/42' });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      skipped: { reason: 'pull-request', trigger: 'pr/42' },
      results: [],
    });
    expect(result.stderr).toContain(
      'shipgraph deploy: pull request #42: pull requests are tested, not deployed\nnothing deploys',
    );
  });

  it('--concurrency 0 is a usage error', async () => {
    const repo = commandRepo({ a: [] });
    repo.commit();
    const result = await repo.run(['deploy', '--concurrency', '0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('E_USAGE: --concurrency must be a whole number of at least 1, not 0');
  });

  it('records how long each deploy took; the next run starts the longest chain by time, not by count', async () => {
    // One slow deploy beside a chain of three quick ones, one deploy at a time; slow by a margin that
    // three process starts on a loaded machine do not make up.
    const repo = commandRepo({ slow: [], s1: [], s2: ['s1'], s3: ['s2'] });
    repo.write({
      'deploy-behaviour.json': {
        slow: { sleepMs: 3000 },
        s1: { sleepMs: 20 },
        s2: { sleepMs: 20 },
        s3: { sleepMs: 20 },
      },
    });
    repo.commit();
    const first = await deploy(repo, ['--concurrency', '1']);
    expect(first.exitCode).toBe(0);
    // Nothing recorded yet: the chain of three counts more than one deploy.
    expect(timesOf(first.summary, 's1').start).toBeLessThan(timesOf(first.summary, 'slow').start);
    const durations = (
      JSON.parse(readFileSync(join(repo.dir, '.shipgraph/state/staging.json'), 'utf8')) as {
        services: Record<string, { durationsMs?: Record<string, number> }>;
      }
    ).services;
    const took = (name: string): number => durations[name]?.durationsMs?.['us-east-1'] ?? NaN;
    expect(took('slow')).toBeGreaterThanOrEqual(3000);
    expect(took('s1') + took('s2') + took('s3')).toBeLessThan(took('slow'));

    const second = await deploy(repo, ['--concurrency', '1', '--all']);
    expect(second.exitCode).toBe(0);
    expect(timesOf(second.summary, 'slow').start).toBeLessThan(timesOf(second.summary, 's1').start);
  });
});
