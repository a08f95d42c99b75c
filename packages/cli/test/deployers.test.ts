// The npm-script and serverless deployers as processes (no AWS needed), and stack names from serverless.yml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverlessStackName } from '../src/stacks/stack-name.js';
import { deploy, statusOf } from './helpers/deploys.js';
import { tempRepo } from './helpers/repo.js';

describe('deployers', () => {
  it('npm-script runs the service deploy script through npm with --stage and --region', async () => {
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      'services/web/package.json': { name: 'web', scripts: { deploy: 'node deploy.mjs' } },
      'services/web/deploy.mjs': "console.log('args:', process.argv.slice(2).join(' '));\n",
      'shipgraph.config.json': { services: { web: {} } },
    });
    repo.commit();
    const { summary } = await deploy(repo);
    expect(statusOf(summary)).toEqual({ web: 'deployed' });
    const log = readFileSync(join(repo.dir, '.shipgraph/logs/staging/web.us-east-1.log'), 'utf8');
    expect(log).toContain('$ npm run deploy -- --stage staging --region us-east-1');
    expect(log).toContain('args: --stage staging --region us-east-1');
  });

  it('serverless without the Framework installed fails that service with a clear message', async () => {
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      'services/api/package.json': { name: 'api' },
      'services/api/serverless.yml': 'service: api\nprovider:\n  name: aws\n',
    });
    repo.commit();
    const { exitCode, summary } = await deploy(repo);
    expect(exitCode).toBe(1);
    expect(summary?.results[0]?.error).toMatch(
      /^E_DEPLOYER: no serverless binary in node_modules\/\.bin above .+\/services\/api \(fix: install the Serverless Framework in the workspace \(npm i -D osls, or serverless for v4\)\)$/,
    );
  });
});

describe('stack names from serverless.yml', () => {
  const name = (yaml: string, stage = 'prod', region = 'eu-west-1') =>
    serverlessStackName('@acme/api', yaml, 'services/api/serverless.yml', stage, region);

  it('is <service>-<stage> by default', () => {
    expect(name('service: orders\nprovider:\n  name: aws\n')).toBe('orders-prod');
    expect(name('service:\n  name: orders\n')).toBe('orders-prod');
  });

  it('honours provider.stackName with the usual variables', () => {
    expect(name('service: orders\nprovider:\n  stackName: acme-${self:service}-${sls:stage}\n')).toBe(
      'acme-orders-prod',
    );
    expect(name("service: orders\nprovider:\n  stackName: ${opt:stage, 'dev'}-${aws:region}-orders\n")).toBe(
      'prod-eu-west-1-orders',
    );
  });

  it('ignores CloudFormation tags elsewhere in the file', () => {
    expect(name('service: orders\nresources:\n  Outputs:\n    Arn:\n      Value: !GetAtt Table.Arn\n')).toBe(
      'orders-prod',
    );
  });

  it('asks for the stack name in the config when a variable cannot be resolved here', () => {
    expect(() => name('service: orders\nprovider:\n  stackName: ${ssm:/acme/stack}\n')).toThrow(
      'cannot work out the stack name of @acme/api from services/api/serverless.yml ("${ssm:/acme/stack}")',
    );
    expect(() => name('provider:\n  name: aws\n')).toThrow(
      'services/api/serverless.yml has no "service" name',
    );
  });
});
