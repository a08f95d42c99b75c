// The DynamoDB state backend and its lock, against moto with real SDK calls.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';

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

describe('state in DynamoDB (moto)', () => {
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
      services: Record<string, { commit: string }>;
    };
    expect(Object.keys(shown.services).sort()).toEqual(['api', 'web']);
    expect(statusOf((await deploy(repo)).summary)).toEqual({ api: 'unchanged', web: 'unchanged' });
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
      `E_LOCKED: stage staging is locked by arn:aws:codebuild:build/acme:42 since 2026-11-22T00:00:00.000Z (dynamodb://${table}/stage#staging (us-east-1))`,
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

  it('a missing table is a clear error, not an empty state', async () => {
    const { repo, table } = dynamoRepo();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `shipgraph: E_STATE: cannot read the state of stage staging: DynamoDB table ${table} does not exist in us-east-1 (fix: create it with \`shipgraph state init\`)`,
    );
  });
});
