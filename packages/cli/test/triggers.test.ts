// Which stage a CodeBuild webhook build deploys to, and the first line deploy prints about it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { decide, parseTrigger } from '../src/config/trigger.js';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';

const config = async (triggers?: object) =>
  parseConfig(JSON.stringify(triggers === undefined ? {} : { triggers }));

describe('webhook triggers', () => {
  it('parses every CodeBuild trigger form, and rejects others', () => {
    expect(parseTrigger('branch/main')).toEqual({ kind: 'branch', name: 'main' });
    expect(parseTrigger('branch/feature/login')).toEqual({ kind: 'branch', name: 'feature/login' });
    expect(parseTrigger('tag/v1.2.0')).toEqual({ kind: 'tag', name: 'v1.2.0' });
    expect(parseTrigger('pr/12')).toEqual({ kind: 'pr', number: 12 });
    expect(parseTrigger(undefined)).toEqual({ kind: 'manual' });
    expect(parseTrigger('')).toEqual({ kind: 'manual' });
    for (const bad of ['pr/abc', 'branch/', 'main', 'release/1']) {
      expect(() => parseTrigger(bad)).toThrow(
        `CODEBUILD_WEBHOOK_TRIGGER="${bad}" is not a CodeBuild webhook trigger`,
      );
    }
  });

  it('maps branches and tags to stages, by name or glob', async () => {
    const mapped = await config({
      branches: { main: 'staging', 'release/*': 'staging' },
      tags: { 'v*': 'prod' },
    });
    expect(decide(mapped, parseTrigger('branch/main'), 'PUSH', null)).toEqual({
      stage: 'staging',
      action: 'deploy',
      preview: false,
      why: 'branch main → stage staging (triggers.branches["main"])',
      trigger: { kind: 'branch', name: 'main' },
    });
    expect(decide(mapped, parseTrigger('branch/release/2026-11'), 'PUSH', null).stage).toBe('staging');
    expect(decide(mapped, parseTrigger('tag/v2.0.0'), 'PUSH', null).why).toBe(
      'tag v2.0.0 → stage prod (triggers.tags["v*"])',
    );
    expect(decide(mapped, parseTrigger('branch/feature/x'), 'PUSH', null)).toMatchObject({
      stage: null,
      action: 'skip',
      why: 'branch feature/x is not mapped to a stage in triggers: nothing deploys',
    });
  });

  it('--stage or STAGE override the mapping; pull requests are only ever tested', async () => {
    const mapped = await config({ branches: { main: 'staging' } });
    expect(decide(mapped, parseTrigger('branch/main'), 'PUSH', { value: 'qa', from: 'STAGE' })).toMatchObject(
      {
        stage: 'qa',
        why: 'stage qa from STAGE',
      },
    );
    expect(
      decide(mapped, parseTrigger('pr/7'), 'PULL_REQUEST_UPDATED', { value: 'staging', from: 'STAGE' }),
    ).toMatchObject({
      stage: null,
      action: 'test-only',
      why: 'pull request #7 (PULL_REQUEST_UPDATED): pull requests are tested, not deployed',
    });
  });

  it('with pullRequests "preview", a pull request deploys pr-<number> and its merge or close removes it', async () => {
    const previews = await config({ branches: { main: 'staging' }, pullRequests: 'preview' });
    for (const event of ['PULL_REQUEST_CREATED', 'PULL_REQUEST_UPDATED', 'PULL_REQUEST_REOPENED']) {
      expect(decide(previews, parseTrigger('pr/42'), event, null)).toEqual({
        stage: 'pr-42',
        action: 'deploy',
        preview: true,
        why: `pull request #42 (${event}) → preview stage pr-42 (triggers.pullRequests: preview)`,
        trigger: { kind: 'pr', number: 42 },
      });
    }
    expect(decide(previews, parseTrigger('pr/42'), undefined, null)).toMatchObject({
      stage: 'pr-42',
      action: 'deploy',
    });
    for (const event of ['PULL_REQUEST_MERGED', 'PULL_REQUEST_CLOSED']) {
      expect(decide(previews, parseTrigger('pr/42'), event, { value: 'prod', from: 'STAGE' })).toEqual({
        stage: 'pr-42',
        action: 'teardown',
        preview: true,
        why: `pull request #42 (${event}): its preview stage pr-42 is removed (triggers.pullRequests: preview)`,
        trigger: { kind: 'pr', number: 42 },
      });
    }
    expect(() => decide(previews, parseTrigger('pr/42'), 'PUSH', null)).toThrow(
      'CODEBUILD_WEBHOOK_EVENT="PUSH" is not a pull request event shipgraph knows',
    );
    expect(
      decide(await config({ pullRequests: 'test' }), parseTrigger('pr/42'), 'PULL_REQUEST_MERGED', null),
    ).toMatchObject({ stage: null, action: 'test-only' });
    await expect(config({ pullRequests: 'deploy' })).rejects.toThrow(
      '/triggers/pullRequests must be one of "test", "preview"',
    );
  });

  it('without a triggers section, a push deploys to the default stage', async () => {
    expect(decide(await config(), parseTrigger('branch/anything'), 'PUSH', null)).toMatchObject({
      stage: 'staging',
      why: 'branch anything: no triggers configured, the default stage staging',
    });
    expect(decide(await config(), parseTrigger(undefined), undefined, null).why).toBe(
      'manual build: the default stage staging',
    );
  });

  it('deploy prints its decision first; an unmapped branch deploys nothing', async () => {
    const repo = commandRepo({ api: [] });
    const { readFileSync } = await import('node:fs');
    const current = JSON.parse(readFileSync(`${repo.dir}/shipgraph.config.json`, 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': {
        ...current,
        stages: { staging: {}, prod: {} },
        triggers: { branches: { main: 'staging' }, tags: { 'v*': 'prod' } },
      },
    });
    repo.commit();
    const feature = await deploy(repo, [], { CODEBUILD_WEBHOOK_TRIGGER: 'branch/feature/x' });
    expect(feature.exitCode).toBe(0);
    expect(feature.stderr.split('\n')[0]).toBe(
      'shipgraph deploy: branch feature/x is not mapped to a stage in triggers: nothing deploys',
    );
    const tag = await deploy(repo, [], { CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.0.0' });
    expect(tag.stderr.split('\n')[0]).toBe('shipgraph deploy: tag v1.0.0 → stage prod (triggers.tags["v*"])');
    expect(tag.summary?.stage).toBe('prod');
    expect(statusOf(tag.summary)).toEqual({ api: 'deployed' });
    const plan = await repo.plan([], { CODEBUILD_WEBHOOK_TRIGGER: 'branch/feature/x' });
    expect(plan.skipped).toEqual({ reason: 'no-stage', trigger: 'branch/feature/x' });
    const bad = await repo.run(['plan'], { CODEBUILD_WEBHOOK_TRIGGER: 'nonsense' });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      'E_ENV: CODEBUILD_WEBHOOK_TRIGGER="nonsense" is not a CodeBuild webhook trigger',
    );
  });
});
