// The bundled example monorepo deployed through shipgraph and osls to moto: the real deployers end to end.
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitChange, scratchExample } from '../../../tools/example/scratch.mjs';
import { deploy, statusOf, timesOf, type SummaryJson } from './helpers/deploys.js';
import { TestRepo } from './helpers/repo.js';

const STAGE = 'pr-901';
const cfn = new CloudFormationClient({});
const lambda = new LambdaClient({});
let repo: TestRepo;

const stack = async (service: string) => {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: `${service}-${STAGE}` }));
  const found = Stacks?.[0];
  if (found === undefined) throw new Error(`no stack for ${service}`);
  const outputs: Record<string, string | undefined> = {};
  for (const output of found.Outputs ?? []) outputs[output.OutputKey ?? ''] = output.OutputValue;
  const parameters: Record<string, string | undefined> = {};
  for (const parameter of found.Parameters ?? [])
    parameters[parameter.ParameterKey ?? ''] = parameter.ParameterValue;
  return { outputs, parameters };
};

const recorded = () =>
  JSON.parse(readFileSync(join(repo.dir, `.shipgraph/state/${STAGE}.json`), 'utf8')) as {
    services: Record<string, { commit: string }>;
  };

const run = (summary: SummaryJson | null, service: string) => timesOf(summary, `@acme/${service}`);

beforeAll(() => {
  repo = new TestRepo(scratchExample());
});
afterAll(() => {
  rmSync(repo.dir, { recursive: true, force: true });
});

describe('the example monorepo on moto', () => {
  it('deploys from scratch, every service after what it depends on', async () => {
    const { exitCode, summary, stderr } = await deploy(repo, ['--stage', STAGE]);
    expect(exitCode, stderr).toBe(0);
    expect(statusOf(summary)).toEqual({
      '@acme/fulfilment': 'deployed',
      '@acme/notifications': 'deployed',
      '@acme/orders-api': 'deployed',
      '@acme/orders-worker': 'deployed',
      '@acme/storefront': 'deployed',
    });
    expect(run(summary, 'orders-worker').start).toBeGreaterThanOrEqual(run(summary, 'orders-api').end);
    expect(run(summary, 'storefront').start).toBeGreaterThanOrEqual(run(summary, 'orders-api').end);
    expect(run(summary, 'notifications').start).toBeGreaterThanOrEqual(run(summary, 'orders-worker').end);
    const { StackSummaries } = await cfn.send(
      new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }),
    );
    const names = (StackSummaries ?? [])
      .map((entry) => entry.StackName)
      .filter((name) => name?.endsWith(STAGE));
    expect(names.sort()).toEqual(
      ['fulfilment', 'notifications', 'orders-api', 'orders-worker', 'storefront'].map(
        (name) => `${name}-${STAGE}`,
      ),
    );
    expect(Object.keys(recorded().services)).toHaveLength(5);
    // Then each deployed service's e2e tests ran against the stage, in dependency order.
    expect(summary?.e2e?.map((result) => `${result.service}:${result.status}`)).toEqual([
      '@acme/fulfilment:passed',
      '@acme/orders-api:passed',
      '@acme/orders-worker:passed',
      '@acme/storefront:skipped',
      '@acme/notifications:passed',
    ]);
  });

  it("hands a service its dependencies' outputs", async () => {
    const api = await stack('orders-api');
    const tableName = api.outputs.OrdersTableName;
    expect(tableName).toMatch(/orders/);
    // orders-worker reads the table name from SHIPGRAPH_OUTPUT_ORDERS_API_ORDERSTABLENAME into its function.
    const worker = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: `orders-worker-${STAGE}-applyOrderEvents` }),
    );
    expect(worker.Environment?.Variables?.ORDERS_TABLE).toBe(tableName);
    // storefront's template gets orders-api's HttpApiUrl as a parameter.
    expect((await stack('storefront')).parameters.ApiUrl).toBe(api.outputs.HttpApiUrl);
  });

  it('deploys nothing when nothing changed', async () => {
    const { summary } = await deploy(repo, ['--stage', STAGE]);
    expect(new Set(Object.values(statusOf(summary)))).toEqual(new Set(['skipped']));
  });

  it('deploys only the dependents of a changed library, in order', async () => {
    const head = commitChange(
      repo.dir,
      'libs/shared/src/ids.mjs',
      '// a change\n',
      'change the shared library',
    );
    const { summary } = await deploy(repo, ['--stage', STAGE]);
    expect(statusOf(summary)).toEqual({
      '@acme/fulfilment': 'skipped',
      '@acme/notifications': 'deployed',
      '@acme/orders-api': 'deployed',
      '@acme/orders-worker': 'deployed',
      '@acme/storefront': 'deployed',
    });
    expect(run(summary, 'orders-worker').start).toBeGreaterThanOrEqual(run(summary, 'orders-api').end);
    expect(run(summary, 'notifications').start).toBeGreaterThanOrEqual(run(summary, 'orders-worker').end);
    expect(recorded().services['@acme/orders-api']?.commit).toBe(head);
    expect(recorded().services['@acme/fulfilment']?.commit).not.toBe(head);
  });

  it('redeploys a service whose stack was deleted', async () => {
    await cfn.send(new DeleteStackCommand({ StackName: `fulfilment-${STAGE}` }));
    const { summary, stderr } = await deploy(repo, ['--stage', STAGE, '--check-stacks']);
    expect(statusOf(summary)['@acme/fulfilment']).toBe('deployed');
    expect(statusOf(summary)['@acme/orders-api']).toBe('skipped');
    expect(stderr).toContain(`@acme/fulfilment: stack-missing (no stack fulfilment-${STAGE} in us-east-1)`);
  });

  it('a failing service blocks what depends on it; the rest deploys and the state stays right', async () => {
    const before = recorded().services['@acme/orders-worker']?.commit;
    commitChange(
      repo.dir,
      'services/orders-worker/serverless.yml',
      'functions: [not, a, map]\n',
      'break the worker',
    );
    const head = commitChange(
      repo.dir,
      'libs/shared/src/ids.mjs',
      '// another change\n',
      'change the library again',
    );
    const { exitCode, summary } = await deploy(repo, ['--stage', STAGE]);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({
      '@acme/fulfilment': 'skipped',
      '@acme/notifications': 'blocked',
      '@acme/orders-api': 'deployed',
      '@acme/orders-worker': 'failed',
      '@acme/storefront': 'deployed',
    });
    expect(recorded().services['@acme/orders-worker']?.commit).toBe(before);
    expect(recorded().services['@acme/storefront']?.commit).toBe(head);
  });

  it('destroy removes the whole stage, dependents first, with serverless remove and DeleteStack', async () => {
    // Undo the previous test's broken serverless.yml: serverless remove needs a valid one too.
    repo.git('checkout', 'HEAD~2', '--', 'services/orders-worker/serverless.yml');
    repo.commit('mend the worker');
    const result = await repo.run(['destroy', '--stage', STAGE, '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n').map((line) => line.split(/\s+/)[0])).toEqual([
      '@acme/notifications',
      '@acme/orders-worker',
      '@acme/storefront',
      '@acme/orders-api',
      '@acme/fulfilment',
    ]);
    const { StackSummaries } = await cfn.send(
      new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }),
    );
    expect((StackSummaries ?? []).filter((entry) => entry.StackName?.endsWith(STAGE))).toEqual([]);
    expect(recorded().services).toEqual({});
  });
});
