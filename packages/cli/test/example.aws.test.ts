// The bundled example monorepo deployed through shipgraph and osls to moto: the real deployers end to end.
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unzipSync, strFromU8 } from 'fflate';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitChange, commitEdit, scratchExample } from '../../../tools/example/scratch.mjs';
import { deploy, statusOf, timesOf, type SummaryJson } from './helpers/deploys.js';
import { TestRepo } from './helpers/repo.js';

const STAGE = 'pr-901';
const cfn = new CloudFormationClient({});
const lambda = new LambdaClient({});
const s3 = new S3Client({ forcePathStyle: true });
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

/**
 * A deployed function's CodeSha256, and its handler module as the zip moto holds has it: the zip is the
 * one the Serverless Framework uploaded to the service's deployment bucket, at the key Lambda reports.
 */
async function codeOf(service: string, fn: string): Promise<{ sha256: string; handler: string }> {
  const found = await lambda.send(new GetFunctionCommand({ FunctionName: `${service}-${STAGE}-${fn}` }));
  const key = new URL(found.Code?.Location ?? '').pathname.slice(1);
  const bucket = (await stack(service)).outputs.ServerlessDeploymentBucketName;
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const files = unzipSync(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
  const handler = files['src/handlers.mjs'];
  if (handler === undefined)
    throw new Error(`no src/handlers.mjs in ${key}: ${Object.keys(files).join(', ')}`);
  return { sha256: found.Configuration?.CodeSha256 ?? '', handler: strFromU8(handler) };
}

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

  it('a library change ships new artifacts where the library is bundled, and says which deploys changed nothing', async () => {
    const before = {
      createOrder: await codeOf('orders-api', 'createOrder'),
      applyOrderEvents: await codeOf('orders-worker', 'applyOrderEvents'),
    };
    // newOrderId is bundled into orders-api's handlers only (orders-worker uses parseOrderEvent).
    const head = commitEdit(
      repo.dir,
      'libs/shared/src/ids.mjs',
      '`ord_${',
      '`order_${',
      'longer order id prefix',
    );
    const { summary } = await deploy(repo, ['--stage', STAGE]);
    expect(statusOf(summary)).toEqual({
      '@acme/fulfilment': 'skipped',
      '@acme/notifications': 'unchanged',
      '@acme/orders-api': 'deployed',
      '@acme/orders-worker': 'unchanged',
      '@acme/storefront': 'unchanged',
    });
    expect(run(summary, 'orders-worker').start).toBeGreaterThanOrEqual(run(summary, 'orders-api').end);
    expect(run(summary, 'notifications').start).toBeGreaterThanOrEqual(run(summary, 'orders-worker').end);
    const after = {
      createOrder: await codeOf('orders-api', 'createOrder'),
      applyOrderEvents: await codeOf('orders-worker', 'applyOrderEvents'),
    };
    expect(after.createOrder.sha256).not.toBe(before.createOrder.sha256);
    expect(after.applyOrderEvents.sha256).toBe(before.applyOrderEvents.sha256);
    // The zip moto holds for the function has the library's new code in its bundle.
    expect(before.createOrder.handler).toContain('`ord_${');
    expect(after.createOrder.handler).toContain('`order_${');
    expect(after.createOrder.handler).toContain('function newOrderId(');
    expect(recorded().services['@acme/orders-api']).toMatchObject({ commit: head, changed: true });
    expect(recorded().services['@acme/orders-worker']).toMatchObject({ commit: head, changed: false });
    expect(recorded().services['@acme/fulfilment']?.commit).not.toBe(head);
  });

  it('a README-only change deploys nothing', async () => {
    commitChange(
      repo.dir,
      'libs/shared/README.md',
      '# @acme/shared\n\nOrder helpers.\n',
      'document the library',
    );
    const { summary } = await deploy(repo, ['--stage', STAGE]);
    expect(new Set(Object.values(statusOf(summary)))).toEqual(new Set(['skipped']));
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
    const head = commitEdit(
      repo.dir,
      'libs/shared/src/ids.mjs',
      '`order_${',
      '`o_${',
      'shorter order id prefix',
    );
    const { exitCode, summary } = await deploy(repo, ['--stage', STAGE]);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({
      '@acme/fulfilment': 'skipped',
      '@acme/notifications': 'blocked',
      '@acme/orders-api': 'deployed',
      '@acme/orders-worker': 'failed',
      // Its template and parameters are as they were: deployed again, it changed nothing.
      '@acme/storefront': 'unchanged',
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
