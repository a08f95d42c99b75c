// The notification webhook URL read from SSM Parameter Store (moto), as a SecureString, never printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';
import { webhook, type Webhook } from './helpers/webhook.js';

const ssm = new SSMClient({});
let hook: Webhook | undefined;
afterEach(() => {
  hook?.close();
});

function failingRepo(notifications: object) {
  const repo = commandRepo({ api: [] });
  const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
  repo.write({
    'shipgraph.config.json': { ...config, notifications },
    'deploy-behaviour.json': { api: { fail: true } },
  });
  repo.commit();
  return repo;
}

describe('notifications with the webhook URL in SSM', () => {
  it('reads and decrypts the parameter when there is news, and never prints it', async () => {
    hook = await webhook();
    const parameter = `/shipgraph-test/${Date.now().toString(36)}/slack-webhook`;
    await ssm.send(
      new PutParameterCommand({ Name: parameter, Value: hook.url, Type: 'SecureString', Overwrite: true }),
    );
    const repo = failingRepo({ webhookUrlParameter: parameter });
    const failed = await deploy(repo);
    expect(failed.exitCode).toBe(1);
    expect(hook.texts).toHaveLength(1);
    expect(hook.texts[0]).toMatch(/^:x: Deploy to staging failed at [0-9a-f]{12}\nfailed: api$/);
    expect(failed.stderr + failed.stdout).not.toContain('secret-token');
  });

  it('a parameter that cannot be read is reported by name, and the run ends as its deploys did', async () => {
    const repo = failingRepo({ webhookUrlParameter: '/shipgraph-test/no-such-parameter' });
    const failed = await deploy(repo);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      'notification skipped: cannot read SSM parameter /shipgraph-test/no-such-parameter (ParameterNotFound)',
    );
  });
});
