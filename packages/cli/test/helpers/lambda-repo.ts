// Functions as infrastructure creates them in moto, a repository whose `api` ships code to one, and
// what the tests read of aliases, versions and alarms.
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import type { AccountCredentials } from './accounts.js';
import { tempRepo } from './repo.js';

const FAKE_DEPLOY = fileURLToPath(new URL('../fixtures/fake-deploy.mjs', import.meta.url));
const lambdaIn = (credentials?: AccountCredentials) =>
  new LambdaClient(credentials === undefined ? {} : { credentials });
const lambda = lambdaIn();

// The build: copies src/index.mjs into dist/ (what a bundler would write).
export const BUILD = `import { cpSync, mkdirSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
cpSync('src/index.mjs', 'dist/index.mjs');
`;

/** A function as infrastructure would create it, with code shipgraph never built (in another account with `credentials`). */
export async function createFunction(name: string, credentials?: AccountCredentials): Promise<void> {
  const role = await new IAMClient(credentials === undefined ? {} : { credentials })
    .send(new CreateRoleCommand({ RoleName: `${name}-role`, AssumeRolePolicyDocument: '{}' }))
    .then((found) => found.Role?.Arn ?? '');
  await lambdaIn(credentials).send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role,
      Code: { ZipFile: zipSync({ 'index.mjs': new TextEncoder().encode('// made by infrastructure\n') }) },
    }),
  );
}

/**
 * `api` ships code to its function; `web` (command deployer) depends on it. With `account`, the
 * function and the code bucket are in that account, and the config's `stages` reach it.
 */
export async function lambdaRepo(
  stage: string,
  rollout?: object,
  account?: { credentials: AccountCredentials; stages: object },
) {
  const fn = `api-${stage}`;
  const bucket = `code-${stage}`;
  await createFunction(fn, account?.credentials);
  await new S3Client(account === undefined ? {} : { credentials: account.credentials }).send(
    new CreateBucketCommand({ Bucket: bucket }),
  );
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\ndist/\n.attempts-*\ndeploy-trace.jsonl\n',
    'services/api/package.json': { name: 'api' },
    'services/api/build.mjs': BUILD,
    'services/api/src/index.mjs': 'export const handler = async () => 1;\n',
    'services/web/package.json': { name: 'web', dependencies: { api: '*' } },
    'services/web/src/index.js': 'export {};\n',
  });
  repo.write({
    'shipgraph.config.json': {
      ...(account === undefined ? {} : { stages: account.stages }),
      services: {
        api: {
          deployer: {
            type: 'lambda',
            functions: ['api-{stage}'],
            build: { command: ['node', 'build.mjs'], dir: 'dist' },
            bucket: 'code-{stage}',
            ...(rollout === undefined ? {} : { rollout }),
          },
        },
        web: { deployer: { type: 'command', command: ['node', FAKE_DEPLOY, repo.dir] } },
      },
    },
  });
  repo.commit();
  const changeCode = (value: number): string => {
    repo.write({ 'services/api/src/index.mjs': `export const handler = async () => ${value};\n` });
    return repo.commit(`api returns ${value}`);
  };
  return { repo, fn, bucket, stage, changeCode };
}

export const aliasOf = async (fn: string, alias: string, credentials?: AccountCredentials) => {
  const found = await lambdaIn(credentials).send(new GetAliasCommand({ FunctionName: fn, Name: alias }));
  return { version: found.FunctionVersion, weights: found.RoutingConfig?.AdditionalVersionWeights ?? {} };
};

/** The api service's deploy log in the stage. */
export const logOf = (dir: string, stage: string): string =>
  readFileSync(join(dir, `.shipgraph/logs/${stage}/api.us-east-1.log`), 'utf8');

/** The function's published versions (without $LATEST). */
export const versionsOf = async (fn: string): Promise<string[]> =>
  ((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }))).Versions ?? [])
    .map((version) => version.Version ?? '')
    .filter((version) => version !== '$LATEST');

/** Waits until the alias sends these weights (JSON, e.g. '{"2":0.1}'): a rollout's step has begun. */
export async function waitForWeights(fn: string, alias: string, weights: string): Promise<void> {
  for (let tries = 0; JSON.stringify((await aliasOf(fn, alias)).weights) !== weights; tries++) {
    if (tries > 600) throw new Error(`${fn}:${alias} never took weights ${weights}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Reads the alias every 100 ms from outside, as a rollout moves it; `stop` ends the watch and gives
 * every state seen, as "<version> <weights JSON>".
 */
export function watchAlias(fn: string, alias: string): { stop: () => Promise<Set<string>> } {
  const seen = new Set<string>();
  const done = new AbortController();
  const watching = (async () => {
    while (!done.signal.aborted) {
      const found = await aliasOf(fn, alias);
      seen.add(`${found.version} ${JSON.stringify(found.weights)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      done.abort();
      await watching;
      return seen;
    },
  };
}

/** A CloudWatch alarm on Lambda errors, in state OK until the test sets it. */
export async function putErrorsAlarm(name: string): Promise<void> {
  await new CloudWatchClient({}).send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
}
