// The DynamoDB state backend and its lock, against moto with real SDK calls.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf, until } from './helpers/deploys.js';

const dynamo = new DynamoDBClient({});
let tables = 0;

function dynamoRepo() {
  const table = `shipgraph-state-${process.pid}-${tables++}`;
  const repo = commandRepo({ api: [], web: ['api'] });
  const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
  repo.write({ 'shipgraph.config.json': { ...config, state: { backend: 'dynamodb', table } } });
  const head = repo.commit();
  return { repo, table, head };
}

const PACKAGE_DEPLOY = fileURLToPath(new URL('./fixtures/package-deploy.mjs', import.meta.url));

describe('state in DynamoDB (moto)', () => {
  it('keeps every field of a record: a kept package, where it was promoted from, the e2e run', async () => {
    const { repo, table } = dynamoRepo();
    const bucket = `shipgraph-artifacts-dynamo-${process.pid}-${tables}`;
    await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
    const deployer = {
      type: 'command',
      package: ['node', PACKAGE_DEPLOY, repo.dir, 'package'],
      command: ['node', PACKAGE_DEPLOY, repo.dir, 'deploy'],
    };
    repo.write({
      'shipgraph.config.json': {
        state: { backend: 'dynamodb', table },
        stages: { staging: { artifacts: { bucket } }, prod: {} },
        services: { api: { deployer }, web: { deployer } },
      },
      'services/api/package.json': { name: 'api', scripts: { 'test:e2e': 'node -e ""' } },
      'services/web/package.json': {
        name: 'web',
        dependencies: { api: '*' },
        scripts: { 'test:e2e': 'node -e ""' },
      },
      '.gitignore': '.shipgraph/\ndeploy-trace.jsonl\n',
    });
    const head = repo.commit('kept packages');
    expect((await repo.run(['state', 'init'])).exitCode).toBe(0);
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    const staged = JSON.parse((await repo.run(['state', 'show', '--stage', 'staging', '--json'])).stdout) as {
      services: Record<
        string,
        { artifact?: { uri: string }; e2e?: { status: string; durationsMs?: object } }
      >;
    };
    expect(staged.services.api?.artifact?.uri).toBe(`s3://${bucket}/shipgraph/api/${head}/`);
    expect(staged.services.api?.e2e?.status).toBe('passed');
    expect(Object.keys(staged.services.api?.e2e?.durationsMs ?? {})).toEqual(['us-east-1']);

    // What staging proved is promoted, and prod's records say where from.
    const promoted = await repo.run(['promote', '--from', 'staging', '--to', 'prod', '--json']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const prod = JSON.parse((await repo.run(['state', 'show', '--stage', 'prod', '--json'])).stdout) as {
      services: Record<string, { promotedFrom?: object }>;
    };
    expect(prod.services.web?.promotedFrom).toEqual({ stage: 'staging', commit: head });
  });

  it('state init creates the table; deploy records each service as an item; the next run reads them', async () => {
    const { repo, table, head } = dynamoRepo();
    const init = await repo.run(['state', 'init']);
    expect(init.stderr).toBe(`created dynamodb://${table}/stage#* (us-east-1)`);
    expect((await repo.run(['state', 'init'])).stderr).toBe(`found dynamodb://${table}/stage#* (us-east-1)`);

    const first = await deploy(repo);
    expect(statusOf(first.summary)).toEqual({ api: 'deployed', web: 'deployed' });
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'stage#staging' }, sk: { S: 'service#web' } } }),
    );
    expect(Item?.commit?.S).toBe(head);
    expect(Item?.fingerprint?.S).toMatch(/^[0-9a-f]{32}$/);

    const shown = JSON.parse((await repo.run(['state', 'show', '--json'])).stdout) as {
      services: Record<string, { commit: string; durationsMs?: Record<string, number> }>;
    };
    expect(Object.keys(shown.services).sort()).toEqual(['api', 'web']);
    // How long the deploy took, kept as a number and read back as one.
    const took = Item?.durationsMs?.M?.['us-east-1']?.N;
    expect(took).toMatch(/^\d+$/);
    expect(shown.services.web?.durationsMs).toEqual({ 'us-east-1': Number(took) });
    expect(statusOf((await deploy(repo)).summary)).toEqual({ api: 'skipped', web: 'skipped' });
  });

  it('the lock is an item: a second run names the holder; unlock removes it', async () => {
    const { repo, table } = dynamoRepo();
    await repo.run(['state', 'init']);
    await dynamo.send(
      new (await import('@aws-sdk/client-dynamodb')).PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'stage#staging' },
          sk: { S: 'lock' },
          owner: { S: 'arn:aws:codebuild:build/acme:42' },
          host: { S: 'codebuild' },
          pid: { N: '7' },
          acquiredAt: { S: '2026-11-22T00:00:00.000Z' },
          expiresAt: { N: String(Date.now() + 600_000) },
        },
      }),
    );
    const blocked = await deploy(repo, ['--lock-timeout', '0']);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain(
      `E_LOCKED: stage staging is locked by arn:aws:codebuild:build/acme:42 since 2026-11-22T00:00:00.000Z (dynamodb://${table}/stage#staging/lock (us-east-1))`,
    );
    expect((await repo.run(['unlock'])).stderr).toBe(
      'removed the lock of stage staging held by arn:aws:codebuild:build/acme:42 since 2026-11-22T00:00:00.000Z',
    );
    expect((await deploy(repo)).exitCode).toBe(0);
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'stage#staging' }, sk: { S: 'lock' } } }),
    );
    expect(Item).toBeUndefined();
  });

  it('--only runs lock single services: different services deploy at once, a whole-stage run waits', async () => {
    const { repo } = dynamoRepo();
    repo.write({
      'deploy-behaviour.json': { api: { waitFor: 'release-api' } },
      '.gitignore': '.shipgraph/\ndeploy-behaviour.json\n.attempts-*\nrelease-api\n',
    });
    repo.commit();
    await repo.run(['state', 'init']);
    const apiRun = deploy(repo, ['--only', 'api']);
    await until(() => existsSync(join(repo.dir, '.attempts-api')), 'the api run to start deploying');

    const webRun = await deploy(repo, ['--only', 'web', '--lock-timeout', '0']);
    expect(webRun.exitCode).toBe(0);
    expect(statusOf(webRun.summary)).toEqual({ web: 'deployed' });
    const sameService = await deploy(repo, ['--only', 'api', '--lock-timeout', '0']);
    expect(sameService.exitCode).toBe(1);
    expect(sameService.stderr).toMatch(
      /E_LOCKED: api in stage staging is locked by \S+ since .*\(fix: wait for that run, or if it is gone: shipgraph unlock --stage staging --only api\)/,
    );
    const wholeStage = await deploy(repo, ['--lock-timeout', '0.5']);
    expect(wholeStage.exitCode).toBe(1);
    expect(wholeStage.stderr).toContain('waiting for the runs deploying api in stage staging');
    expect(wholeStage.stderr).toContain('E_LOCKED: api in stage staging is locked by');

    writeFileSync(join(repo.dir, 'release-api'), '');
    const api = await apiRun;
    expect(api.exitCode).toBe(0);
    expect(statusOf(api.summary)).toEqual({ api: 'deployed' });
    // Both records landed, each from its own run, and no lock is left behind.
    expect(statusOf((await deploy(repo, ['--lock-timeout', '0'])).summary)).toEqual({
      api: 'skipped',
      web: 'skipped',
    });
  });

  it('an --only run waits while the whole stage is locked; unlock --only breaks a service lock', async () => {
    const { repo, table } = dynamoRepo();
    await repo.run(['state', 'init']);
    const lockItem = (sk: string, ttlMs = 600_000) => ({
      pk: { S: 'stage#staging' },
      sk: { S: sk },
      owner: { S: 'build:9' },
      host: { S: 'codebuild' },
      pid: { N: '7' },
      acquiredAt: { S: 'then' },
      expiresAt: { N: String(Date.now() + ttlMs) },
    });
    await dynamo.send(new PutItemCommand({ TableName: table, Item: lockItem('lock') }));
    const blocked = await deploy(repo, ['--only', 'web', '--lock-timeout', '0']);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('E_LOCKED: stage staging is locked by build:9 since then');
    // A stage lock that runs out (its run died) stops blocking: the --only run waits, then deploys.
    await dynamo.send(new PutItemCommand({ TableName: table, Item: lockItem('lock', 3000) }));
    const waited = await deploy(repo, ['--only', 'web', '--lock-timeout', '30']);
    expect(waited.exitCode).toBe(0);
    expect(waited.stderr).toContain(
      'stage staging is locked by build:9 (a run over the whole stage); waiting',
    );
    expect(statusOf(waited.summary)).toEqual({ web: 'deployed' });

    await dynamo.send(new PutItemCommand({ TableName: table, Item: lockItem('lock#web') }));
    expect((await deploy(repo, ['--only', 'web', '--lock-timeout', '0'])).exitCode).toBe(1);
    expect((await repo.run(['unlock', '--only', 'web'])).stderr).toBe(
      'removed the lock of web in stage staging held by build:9 since then',
    );
    expect(statusOf((await deploy(repo, ['--only', 'web', '--lock-timeout', '0'])).summary)).toEqual({
      web: 'skipped',
    });
  });

  it('a missing table is a clear error, not an empty state', async () => {
    const { repo, table } = dynamoRepo();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `shipgraph: E_STATE_TABLE: cannot read the state of stage staging: DynamoDB table ${table} does not exist in us-east-1 (fix: create it with \`shipgraph state init\`)`,
    );
  });
});
