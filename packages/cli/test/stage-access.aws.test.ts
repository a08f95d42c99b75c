// Every step in a stage with `roleArn` acts as the stage's role (moto STS, a second account): deploy, e2e,
// destroy, rollback, promote and state mark. Processes show it by the credentials they were given
// (asked of STS); shipgraph's own SDK calls by acting on what exists only in the role's account.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf } from './helpers/deploys.js';
import {
  assumeProdRole,
  PROD_ACCOUNT,
  PROD_STAGE,
  stackExists,
  type AccountCredentials,
} from './helpers/accounts.js';
import { aliasOf, lambdaRepo } from './helpers/lambda-repo.js';
import { tempRepo, type TestRepo } from './helpers/repo.js';

const RECORD = fileURLToPath(new URL('./fixtures/record-identity.mjs', import.meta.url));
const ASSUMED = `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/shipgraph-deploy/shipgraph-prod`;
const sts = new STSClient({});

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}'
`;

/** Whom the credentials a process of `step` was given belong to, as STS says. */
async function identityOf(repo: TestRepo, service: string, step: string, stage: string): Promise<string> {
  const file = join(repo.dir, `identity-${service}-${step}-${stage}.json`);
  if (!existsSync(file)) throw new Error(`no ${step} process of ${service} ran in ${stage}`);
  const given = JSON.parse(readFileSync(file, 'utf8')) as AccountCredentials;
  return (await new STSClient({ credentials: given }).send(new GetCallerIdentityCommand({}))).Arn ?? '';
}

/** `<queue>` (CloudFormation) and `worker` (a command whose deploy, remove, package and e2e record their credentials). */
function roleRepo(queue: string, stages: object = { prod: PROD_STAGE, staging: {} }): TestRepo {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\nidentity-*.json\n',
    [`services/${queue}/template.yml`]: TEMPLATE,
    'services/worker/src/index.js': 'export {};\n',
  });
  const step = (name: string) => ['node', RECORD, repo.dir, name];
  repo.write({
    // Promote takes only what staging proved: both have e2e tests.
    [`services/${queue}/package.json`]: {
      name: queue,
      scripts: { 'test:e2e': `node ${RECORD} ${repo.dir} e2e` },
    },
    'services/worker/package.json': {
      name: 'worker',
      dependencies: { [queue]: '*' },
      scripts: { 'test:e2e': `node ${RECORD} ${repo.dir} e2e` },
    },
    'shipgraph.config.json': {
      stages,
      services: {
        [queue]: { deployer: { type: 'cloudformation' } },
        worker: {
          deployer: {
            type: 'command',
            command: step('deploy'),
            remove: step('remove'),
            package: step('package'),
          },
        },
      },
    },
  });
  repo.commit();
  return repo;
}

describe('a stage with roleArn: every step acts as its role', () => {
  it('deploy and its e2e run, state mark, then destroy', async () => {
    const repo = roleRepo('ledger');
    const deployed = await deploy(repo, ['--stage', 'prod']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(statusOf(deployed.summary)).toEqual({ ledger: 'deployed', worker: 'deployed' });
    expect(await identityOf(repo, 'worker', 'deploy', 'prod')).toBe(ASSUMED);
    expect(await identityOf(repo, 'worker', 'e2e', 'prod')).toBe(ASSUMED);
    const prod = await assumeProdRole();
    expect(await stackExists('ledger-prod', prod)).toBe(true);
    expect(await stackExists('ledger-prod')).toBe(false);

    // state mark looks the stack up where it is, in the role's account, and remembers it.
    const marked = await repo.run(['state', 'mark', '--stage', 'prod', '--only', 'ledger', '--json']);
    expect(marked.exitCode, marked.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(repo.dir, '.shipgraph/state/prod.json'), 'utf8')) as {
      services: Record<string, { stacks?: Record<string, string> }>;
    };
    expect(state.services.ledger?.stacks).toEqual({ 'us-east-1': 'ledger-prod' });
    // The same mark in a stage without the role looks in the build's account, where there is no stack.
    const elsewhere = await repo.run(['state', 'mark', '--stage', 'staging', '--only', 'ledger']);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toContain(
      'E_STACK_MISSING: cannot mark as deployed what is not there: ledger (no stack ledger-staging in us-east-1)',
    );

    // destroy removes the worker with the role's credentials, and the stack in the role's account.
    const destroyed = await repo.run(['destroy', '--stage', 'prod', '--yes']);
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    expect(await identityOf(repo, 'worker', 'remove', 'prod')).toBe(ASSUMED);
    expect(await stackExists('ledger-prod', prod)).toBe(false);
  });

  it('rollback moves the alias in the role’s account', async () => {
    const prod = await assumeProdRole();
    const { repo, fn, changeCode } = await lambdaRepo('prod', undefined, {
      credentials: prod,
      stages: { prod: PROD_STAGE },
    });
    expect((await deploy(repo, ['--stage', 'prod', '--skip-e2e'])).exitCode).toBe(0);
    changeCode(2);
    const second = await deploy(repo, ['--stage', 'prod', '--skip-e2e']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await aliasOf(fn, 'prod', prod)).toEqual({ version: '2', weights: {} });

    const rolledBack = await repo.run(['rollback', '--stage', 'prod', '--only', 'api', '--json']);
    expect(rolledBack.exitCode, rolledBack.stderr).toBe(0);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject({
      results: [{ service: 'api', moved: [`${fn}:prod version 2 → 1`] }],
    });
    expect(await aliasOf(fn, 'prod', prod)).toEqual({ version: '1', weights: {} });
    // Nothing of it is in the build's own account.
    await expect(aliasOf(fn, 'prod')).rejects.toThrow(/not found/i);
  });

  it('promote deploys and tests in the role’s account what staging proved with the build’s own', async () => {
    const bucket = `shipgraph-artifacts-role-${process.pid}`;
    await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
    const repo = roleRepo('billing', { staging: { artifacts: { bucket } }, prod: PROD_STAGE });
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    const own = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    expect(await identityOf(repo, 'worker', 'deploy', 'staging')).toBe(own);

    const promoted = await repo.run(['promote', '--from', 'staging', '--to', 'prod', '--json']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(await identityOf(repo, 'worker', 'deploy', 'prod')).toBe(ASSUMED);
    expect(await identityOf(repo, 'worker', 'e2e', 'prod')).toBe(ASSUMED);
    expect(await stackExists('billing-prod', await assumeProdRole())).toBe(true);
  });
});
