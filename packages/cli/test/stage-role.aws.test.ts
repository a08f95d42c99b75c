// A stage with `roleArn` (in another account): shipgraph assumes it through STS (moto) for its own
// CloudFormation calls and hands its credentials to the deploy processes; other stages keep the build's.
// A state table in another account is reached through its own role.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { assumeProdRole, PROD_ACCOUNT, ROLE, stackExists } from './helpers/accounts.js';
import { deploy, statusOf } from './helpers/deploys.js';
import { tempRepo } from './helpers/repo.js';

const sts = new STSClient({});

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}'
Outputs:
  QueueName:
    Value: !GetAtt Queue.QueueName
`;

// The credentials a deploy process was given, as it saw them.
const RECORD_CREDENTIALS = `require('fs').writeFileSync(process.argv[1], JSON.stringify({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  sessionToken: process.env.AWS_SESSION_TOKEN,
}))`;

/** `queue` (CloudFormation) and `worker` (a command that records its credentials); names differ per test, as moto is shared. */
function repoWithRole(queue: string) {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\ncredentials-*.json\n',
    [`services/${queue}/package.json`]: { name: queue },
    [`services/${queue}/template.yml`]: TEMPLATE,
    'services/worker/package.json': { name: 'worker', dependencies: { [queue]: '*' } },
    'services/worker/src/index.js': 'export {};\n',
  });
  repo.write({
    'shipgraph.config.json': {
      stages: {
        prod: { roleArn: ROLE, externalId: 'acme-ci' },
        staging: {},
      },
      services: {
        [queue]: { deployer: { type: 'cloudformation', parameters: { Stage: '{stage}' } } },
        worker: {
          deployer: {
            type: 'command',
            command: ['node', '-e', RECORD_CREDENTIALS, join(repo.dir, 'credentials-{stage}.json')],
          },
        },
      },
    },
  });
  repo.commit();
  return repo;
}

const recordedCredentials = (dir: string, stage: string) =>
  JSON.parse(readFileSync(join(dir, `credentials-${stage}.json`), 'utf8')) as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };

describe('a stage with roleArn (moto STS)', () => {
  it('deploys into the role’s account, and gives the deploy processes the role’s credentials', async () => {
    const repo = repoWithRole('jobs');
    const prod = await deploy(repo, ['--stage', 'prod', '--check-stacks']);
    expect(prod.exitCode, prod.stderr).toBe(0);
    expect(statusOf(prod.summary)).toEqual({ jobs: 'deployed', worker: 'deployed' });

    // The stack is in the prod account, not the build's.
    expect(await stackExists('jobs-prod', await assumeProdRole())).toBe(true);
    expect(await stackExists('jobs-prod')).toBe(false);

    // The worker's deploy ran as the assumed role, session named after the stage.
    const given = recordedCredentials(repo.dir, 'prod');
    const identity = await new STSClient({ credentials: given }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${PROD_ACCOUNT}:assumed-role/shipgraph-deploy/shipgraph-prod`);

    // Stack checks look in the prod account too: the stack is found, so nothing deploys again.
    const plan = await repo.plan(['--stage', 'prod', '--check-stacks']);
    expect(plan.services.filter((service) => service.deploy)).toEqual([]);
  });

  it('stops before the lock and any deploy when the role cannot be assumed', async () => {
    const repo = repoWithRole('tasks');
    // Nothing answers on port 9: STS cannot be reached.
    const result = await deploy(repo, ['--stage', 'prod'], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^shipgraph: E_ASSUME_ROLE: cannot assume ${ROLE} for stage prod: .+ \\(fix: let the build's identity assume the role`,
        'm',
      ),
    );
    expect(result.stderr).not.toMatch(/locked stage|deploying/);
    expect(await stackExists('tasks-prod', await assumeProdRole())).toBe(false);
  });

  it('leaves a stage without roleArn on the build’s own credentials', async () => {
    const repo = repoWithRole('events');
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    expect(await stackExists('events-staging')).toBe(true);
    expect(await stackExists('events-staging', await assumeProdRole())).toBe(false);
    const own = await sts.send(new GetCallerIdentityCommand({}));
    const given = recordedCredentials(repo.dir, 'staging');
    const identity = await new STSClient({ credentials: given }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(own.Arn);
  });

  it('reaches a state table in another account through state.roleArn', async () => {
    const STATE_ROLE = 'arn:aws:iam::333333333333:role/shipgraph-state';
    const table = `shipgraph-state-role-${process.pid}`;
    const repo = repoWithRole('audits');
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({
      'shipgraph.config.json': { ...config, state: { backend: 'dynamodb', table, roleArn: STATE_ROLE } },
    });
    repo.commit('state elsewhere');
    expect((await repo.run(['state', 'init'])).exitCode).toBe(0);
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);

    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: STATE_ROLE, RoleSessionName: 'test' }),
    );
    const there = new DynamoDBClient({
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
    });
    const key = { pk: { S: 'stage#staging' }, sk: { S: 'service#worker' } };
    const { Item } = await there.send(new GetItemCommand({ TableName: table, Key: key }));
    expect(Item?.commit?.S).toBe(repo.git('rev-parse', 'HEAD'));
    // Not in the build's own account.
    await expect(
      new DynamoDBClient({}).send(new GetItemCommand({ TableName: table, Key: key })),
    ).rejects.toThrow(/not found|ResourceNotFound/i);
  });
});
