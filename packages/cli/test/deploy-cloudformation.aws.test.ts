// The cloudformation deployer, stack checks and outputs, against moto with real SDK calls.
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf } from './helpers/deploys.js';
import { tempRepo } from './helpers/repo.js';

const FAKE_DEPLOY = fileURLToPath(new URL('./fixtures/fake-deploy.mjs', import.meta.url));
const cfn = new CloudFormationClient({});

const template = (version: string) => `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub 'uploads-\${Stage}'
Outputs:
  QueueName:
    Value: !GetAtt Queue.QueueName
  Version:
    Value: ${version}
`;

/** `queue` is a CloudFormation service; `consumer` (command deployer) depends on it and prints its outputs. */
function repoFor(stage: string) {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\n.attempts-*\n',
    'services/queue/package.json': { name: 'queue' },
    'services/queue/template.yml': template('v1'),
    'services/consumer/package.json': { name: 'consumer', dependencies: { queue: '*' } },
    'services/consumer/src/index.js': 'export {};\n',
  });
  repo.write({
    'shipgraph.config.json': {
      services: {
        queue: { deployer: { type: 'cloudformation', parameters: { Stage: '{stage}' } } },
        consumer: {
          deployer: {
            type: 'command',
            command: ['node', FAKE_DEPLOY, repo.dir],
            remove: ['node', FAKE_DEPLOY, repo.dir, 'remove'],
          },
        },
      },
    },
  });
  repo.commit();
  return { repo, stackName: `queue-${stage}` };
}

const outputsOf = async (stackName: string): Promise<Record<string, string | undefined>> => {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs: Record<string, string | undefined> = {};
  for (const output of Stacks?.[0]?.Outputs ?? []) outputs[output.OutputKey ?? ''] = output.OutputValue;
  return outputs;
};

describe('deploy with the cloudformation deployer (moto)', () => {
  it('creates the stack, passes its outputs to the dependent, and then has nothing to do', async () => {
    const { repo, stackName } = repoFor('cfn-one');
    const first = await deploy(repo, ['--stage', 'cfn-one', '--check-stacks']);
    expect(first.exitCode).toBe(0);
    expect(statusOf(first.summary)).toEqual({ queue: 'deployed', consumer: 'deployed' });
    expect(await outputsOf(stackName)).toEqual({ QueueName: 'uploads-cfn-one', Version: 'v1' });
    const consumerLog = readFileSync(
      join(repo.dir, '.shipgraph/logs/cfn-one/consumer.us-east-1.log'),
      'utf8',
    );
    expect(consumerLog).toContain('env SHIPGRAPH_OUTPUT_QUEUE_QUEUENAME=uploads-cfn-one');
    expect(consumerLog).toContain('env SHIPGRAPH_OUTPUT_QUEUE_VERSION=v1');
    const outputsFile = JSON.parse(
      readFileSync(join(repo.dir, '.shipgraph/outputs/cfn-one/consumer.us-east-1.deploy.json'), 'utf8'),
    ) as unknown;
    expect(outputsFile).toEqual({ queue: { QueueName: 'uploads-cfn-one', Version: 'v1' } });

    const second = await deploy(repo, ['--stage', 'cfn-one', '--check-stacks']);
    expect(statusOf(second.summary)).toEqual({ queue: 'skipped', consumer: 'skipped' });
  });

  it('updates the stack when its template changes', async () => {
    const { repo, stackName } = repoFor('cfn-two');
    await deploy(repo, ['--stage', 'cfn-two']);
    repo.write({ 'services/queue/template.yml': template('v2') });
    repo.commit();
    const again = await deploy(repo, ['--stage', 'cfn-two']);
    expect(statusOf(again.summary)).toEqual({ queue: 'deployed', consumer: 'deployed' });
    expect(await outputsOf(stackName)).toEqual({ QueueName: 'uploads-cfn-two', Version: 'v2' });
  });

  it('a stack deleted behind its back is redeployed, with its dependents, as stack-missing', async () => {
    const { repo, stackName } = repoFor('cfn-three');
    await deploy(repo, ['--stage', 'cfn-three']);
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));

    const plan = await repo.plan(['--stage', 'cfn-three', '--check-stacks']);
    expect(plan.services.map((service) => [service.name, service.reasons])).toEqual([
      [
        'consumer',
        [{ kind: 'dependency', via: 'queue', detail: 'its stack is missing and is created again' }],
      ],
      ['queue', [{ kind: 'stack-missing', detail: `no stack ${stackName} in us-east-1` }]],
    ]);
    // Without --check-stacks, plan does not ask AWS.
    expect((await repo.plan(['--stage', 'cfn-three'])).services.every((service) => !service.deploy)).toBe(
      true,
    );

    const again = await deploy(repo, ['--stage', 'cfn-three', '--check-stacks']);
    expect(statusOf(again.summary)).toEqual({ queue: 'deployed', consumer: 'deployed' });
    expect(await outputsOf(stackName)).toEqual({ QueueName: 'uploads-cfn-three', Version: 'v1' });
  });

  it('destroy deletes the stack; --orphans deletes the recorded stack of a service gone from the workspace', async () => {
    const { repo, stackName } = repoFor('cfn-five');
    await deploy(repo, ['--stage', 'cfn-five']);
    expect(await outputsOf(stackName)).toEqual({ QueueName: 'uploads-cfn-five', Version: 'v1' });

    repo.remove('services/queue');
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as {
      services: Record<string, unknown>;
    };
    repo.write({
      'services/consumer/package.json': { name: 'consumer' },
      'shipgraph.config.json': { services: { consumer: config.services.consumer } },
    });
    repo.commit('retire the queue service');
    expect((await repo.plan(['--stage', 'cfn-five'])).orphans).toEqual(['queue']);
    const destroyed = await repo.run(['destroy', '--stage', 'cfn-five', '--orphans', '--yes']);
    expect(destroyed.exitCode).toBe(0);
    expect(destroyed.stdout).toBe('queue  removed\nconsumer  removed');
    expect(destroyed.stderr).toContain(`[queue destroy] stack ${stackName}: deleted`);
    await expect(outputsOf(stackName)).rejects.toThrow(/does not exist/);
    expect((await repo.plan(['--stage', 'cfn-five'])).orphans).toEqual([]);
  });

  it('a pull request preview creates the stacks it needs in pr-<n>, and its merge deletes them', async () => {
    const number = 9000 + Math.floor(Math.random() * 999);
    const { repo, stackName } = repoFor(`pr-${number}`);
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({ 'shipgraph.config.json': { ...config, triggers: { pullRequests: 'preview' } } });
    repo.commit('previews');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'services/consumer/src/index.js': 'export const v = 2;\n' });
    repo.commit('change the consumer');
    const pullRequest = (event: string) => ({
      CODEBUILD_WEBHOOK_TRIGGER: `pr/${number}`,
      CODEBUILD_WEBHOOK_EVENT: event,
      CODEBUILD_WEBHOOK_BASE_REF: 'refs/heads/main',
    });

    const created = await deploy(repo, [], pullRequest('PULL_REQUEST_CREATED'));
    expect(created.exitCode).toBe(0);
    expect(statusOf(created.summary)).toEqual({ queue: 'deployed', consumer: 'deployed' });
    expect(created.stderr).toContain('queue: needed by consumer (not deployed in this stage yet)');
    expect(created.stderr).toContain(`SHIPGRAPH_OUTPUT_QUEUE_QUEUENAME=uploads-pr-${number}`);
    expect(await outputsOf(stackName)).toEqual({ QueueName: `uploads-pr-${number}`, Version: 'v1' });

    const merged = await repo.run(['deploy'], pullRequest('PULL_REQUEST_MERGED'));
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout).toBe('consumer  removed\nqueue  removed');
    await expect(outputsOf(stackName)).rejects.toThrow(/does not exist/);
  });

  it('an AWS error while checking stacks fails the run; it never means "deploy everything"', async () => {
    const { repo } = repoFor('cfn-four');
    const result = await repo.run(['plan', '--json', '--stage', 'cfn-four', '--check-stacks'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^shipgraph: E_AWS: cannot list CloudFormation stacks in us-east-1: .+ \(fix: check the AWS/,
    );
  });
});
