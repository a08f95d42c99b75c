// Notifications to a Slack-compatible webhook (a local HTTP server here): only on news, never leaking the URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';
import { webhook, type Webhook } from './helpers/webhook.js';

let hook: Webhook | undefined;
afterEach(() => {
  hook?.close();
});

describe('notifications', () => {
  it('tells the team when a stage starts failing and when it is fixed, not on every run', async () => {
    hook = await webhook();
    const repo = commandRepo({ api: [], web: ['api'] });
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': {
        ...config,
        stages: { staging: {}, prod: { notify: 'always' } },
        notifications: { webhookUrlEnv: 'SLACK_WEBHOOK_URL' },
      },
    });
    const head = repo.commit();
    const env = { SLACK_WEBHOOK_URL: hook.url, CODEBUILD_BUILD_URL: 'https://codebuild.example/builds/7' };

    expect((await deploy(repo, [], env)).exitCode).toBe(0);
    expect(hook.texts).toEqual([]);

    repo.write({ 'deploy-behaviour.json': { api: { fail: true } } });
    repo.write({ 'services/api/src/index.js': 'export const v = 2;\n' });
    const broken = repo.commit();
    const failed = await deploy(repo, [], env);
    expect(failed.exitCode).toBe(1);
    expect(hook.texts).toEqual([
      `:x: Deploy to staging failed at ${broken.slice(0, 12)}\nfailed: api\nblocked: web\nbuild: https://codebuild.example/builds/7`,
    ]);
    expect(failed.stderr + failed.stdout).not.toContain('secret-token');

    await deploy(repo, [], env);
    expect(hook.texts).toHaveLength(1);

    repo.write({ 'deploy-behaviour.json': {} });
    await deploy(repo, [], env);
    expect(hook.texts[1]).toBe(
      `:white_check_mark: Deploys to staging are fixed at ${broken.slice(0, 12)}\ndeployed: api, web\nbuild: https://codebuild.example/builds/7`,
    );

    await deploy(repo, ['--stage', 'prod'], env);
    expect(hook.texts[2]).toBe(
      `:rocket: Deployed to prod at ${broken.slice(0, 12)}\ndeployed: api, web\nbuild: https://codebuild.example/builds/7`,
    );
    expect(head).not.toBe(broken);
  });

  it('a webhook that cannot be reached is reported, and the run still succeeds', async () => {
    const repo = commandRepo({ api: [] });
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': {
        ...config,
        stages: { staging: { notify: 'always' } },
        notifications: { webhookUrlEnv: 'HOOK' },
      },
    });
    repo.commit();
    const result = await deploy(repo, [], { HOOK: 'http://127.0.0.1:9/secret-token' });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/notification not delivered: /);
    expect(result.stderr).not.toContain('secret-token');
  });
});
