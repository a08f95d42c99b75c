// Serverless services whose functions are invoked through an alias: osls deploys the stack to moto,
// shipgraph publishes each function's version and moves its alias, gradually under a rollout.
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aliasBypasses, templateFunctions, type Template } from '../src/deployers/lambda/alias-bypass.js';
import { deploy, statusOf } from './helpers/deploys.js';
import { aliasOf, putErrorsAlarm, versionsOf, waitForWeights, watchAlias } from './helpers/lambda-repo.js';
import { tempDir, tempRepo } from './helpers/repo.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const FAKE_DEPLOY = fileURLToPath(new URL('./fixtures/fake-deploy.mjs', import.meta.url));
const lambda = new LambdaClient({});
const cloudWatch = new CloudWatchClient({});

const serverlessYml = (extra = ''): string => `service: canary
provider:
  name: aws
  runtime: nodejs20.x
  region: us-east-1
  deploymentMethod: direct
functions:
  worker:
    handler: src/index.handler
${extra}`;

/** `canary` (a Serverless service with the given deployer settings) and `web`, which depends on it. */
function serverlessRepo(stage: string, deployer: object, yml = serverlessYml()) {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\nnode_modules/\n.serverless/\n.attempts-*\ndeploy-trace.jsonl\n',
    'services/canary/package.json': { name: 'canary' },
    'services/canary/serverless.yml': yml,
    'services/canary/src/index.mjs': 'export const handler = async () => 1;\n',
    'services/web/package.json': { name: 'web', dependencies: { canary: '*' } },
    'services/web/src/index.js': 'export {};\n',
  });
  repo.write({
    'shipgraph.config.json': {
      services: {
        canary: { deployer: { type: 'serverless', ...deployer } },
        web: { deployer: { type: 'command', command: ['node', FAKE_DEPLOY, repo.dir] } },
      },
    },
  });
  // Installed as a clone would be: the Serverless Framework (osls) from this project's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'));
  repo.commit();
  const changeCode = (value: number): string => {
    repo.write({ 'services/canary/src/index.mjs': `export const handler = async () => ${value};\n` });
    return repo.commit(`canary returns ${value}`);
  };
  return { repo, fn: `canary-${stage}-worker`, changeCode };
}

const logOf = (dir: string, stage: string): string =>
  readFileSync(join(dir, `.shipgraph/logs/${stage}/canary.us-east-1.log`), 'utf8');

describe('Serverless services rolled out through an alias (osls on moto)', () => {
  it('creates the alias, shifts a canary to the next version, skips an unchanged deploy, and rolls back', async () => {
    const stage = 'sls-canary';
    const rollout = { type: 'canary', percent: 25, seconds: 2, pollSeconds: 0.2 };
    const { repo, fn, changeCode } = serverlessRepo(stage, { rollout });

    const first = await deploy(repo, ['--stage', stage]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(statusOf(first.summary)).toEqual({ canary: 'deployed', web: 'deployed' });
    expect(await versionsOf(fn)).toEqual(['1']);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    expect(logOf(repo.dir, stage)).toContain(`${fn}:${stage} created on version 1`);

    changeCode(2);
    const watch = watchAlias(fn, stage);
    const second = await deploy(repo, ['--stage', stage]);
    const seen = await watch.stop();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(statusOf(second.summary)).toEqual({ canary: 'deployed', web: 'deployed' });
    expect(seen).toContain('1 {"2":0.25}');
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });
    expect((await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: stage }))).Description).toBe(
      'shipgraph: previous version 1',
    );
    expect(logOf(repo.dir, stage)).toContain(`${fn}:${stage} sends 25% to version 2`);

    // Deployed again as it is: the Framework finds no change and Lambda publishes no version.
    const again = await deploy(repo, ['--stage', stage, '--all']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(statusOf(again.summary)).toEqual({ canary: 'unchanged', web: 'deployed' });
    expect(await versionsOf(fn)).toEqual(['1', '2']);
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });

    const rollback = await repo.run(['rollback', '--stage', stage, '--only', 'canary', '--json']);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toEqual({
      version: 1,
      stage,
      results: [{ service: 'canary', region: 'us-east-1', moved: [`${fn}:${stage} version 2 → 1`] }],
    });
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
  });

  it('rolls the alias back when an alarm fires during the bake, failing the service and blocking its dependents', async () => {
    const stage = 'sls-alarm';
    const alarm = `canary-errors-${stage}`;
    await putErrorsAlarm(alarm);
    const rollout = {
      type: 'canary',
      percent: 10,
      seconds: 60,
      pollSeconds: 0.2,
      alarms: ['canary-errors-{stage}'],
    };
    const { repo, fn, changeCode } = serverlessRepo(stage, { alias: 'live', rollout });
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    expect(await aliasOf(fn, 'live')).toEqual({ version: '1', weights: {} });

    changeCode(2);
    const deploying = deploy(repo, ['--stage', stage]);
    await waitForWeights(fn, 'live', '{"2":0.1}');
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test: errors' }),
    );
    const second = await deploying;
    expect(second.exitCode).toBe(1);
    expect(statusOf(second.summary)).toEqual({ canary: 'failed', web: 'blocked' });
    const canary = second.summary?.results.find((result) => result.service === 'canary');
    expect(canary?.error).toBe(`alarm ${alarm} in ALARM during the rollout: rolled back`);
    expect(await aliasOf(fn, 'live')).toEqual({ version: '1', weights: {} });
    expect(logOf(repo.dir, stage)).toContain(`rolled back: ${fn}:live on version 1 again`);
    // Not recorded as deployed: the next run deploys it again.
    const state = JSON.parse(readFileSync(join(repo.dir, `.shipgraph/state/${stage}.json`), 'utf8')) as {
      services: Record<string, { commit: string }>;
    };
    expect(state.services.canary?.commit).toBe(repo.git('rev-parse', 'HEAD~1'));
  });

  it('refuses a rollout whose events invoke the function past the alias, before deploying anything', async () => {
    const stage = 'sls-bypass';
    const events = `    events:
      - schedule: rate(1 hour)
`;
    const { repo } = serverlessRepo(
      stage,
      { rollout: { type: 'canary', percent: 10, seconds: 1 } },
      serverlessYml(events),
    );
    const result = await deploy(repo, ['--stage', stage]);
    expect(result.exitCode).toBe(1);
    expect(statusOf(result.summary)).toEqual({ canary: 'failed', web: 'blocked' });
    const error = result.summary?.results.find((found) => found.service === 'canary')?.error ?? '';
    expect(error).toMatch(
      new RegExp(
        `^E_ROLLOUT_BYPASSED: canary invokes functions past alias ${stage}, so moving the alias would not move that traffic: canary-${stage}-worker by WorkerEventsRuleSchedule1 \\(fix: `,
      ),
    );
    await expect(
      new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: `canary-${stage}` })),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('which references in a template go past the alias', () => {
  /** What osls packages for the service with these events and resources (no AWS call is made). */
  function packaged(extra: string): Template {
    const dir = tempDir();
    const { repo } = serverlessRepo('pkg', {}, serverlessYml(extra));
    execFileSync(
      join(repo.dir, 'node_modules/.bin/serverless'),
      ['package', '--stage', 'pkg', '--region', 'us-east-1', '--package', dir],
      { cwd: join(repo.dir, 'services/canary'), stdio: 'pipe' },
    );
    return JSON.parse(
      readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
  }

  it('finds the events the Serverless Framework wires to the unqualified function', () => {
    const template = packaged(`    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
      - http: GET /ping
      - sns: alerts
      - schedule: rate(1 hour)
`);
    const worker = { logicalId: 'WorkerLambdaFunction', name: 'canary-pkg-worker' };
    expect(templateFunctions(template)).toEqual([worker]);
    expect(aliasBypasses(template, worker, 'pkg').sort()).toEqual([
      'ApiGatewayMethodPingGet',
      'SNSTopicAlerts',
      'WorkerEventSourceMappingSQSJobs',
      'WorkerEventsRuleSchedule1',
    ]);
  });

  it('accepts references qualified with the alias, and no others', () => {
    const template = packaged(`resources:
  Outputs:
    Joined: { Value: { 'Fn::Join': [':', [{ 'Fn::GetAtt': [WorkerLambdaFunction, Arn] }, live]] } }
    Substituted: { Value: { 'Fn::Sub': '\${WorkerLambdaFunction.Arn}:live' } }
    Literal: { Value: 'arn:aws:lambda:us-east-1:123456789012:function:canary-pkg-worker:live' }
    OtherFunction: { Value: 'arn:aws:lambda:us-east-1:123456789012:function:canary-pkg-worker-2' }
    OtherAlias: { Value: { 'Fn::Sub': '\${WorkerLambdaFunction.Arn}:live2' } }
    Plain: { Value: { 'Fn::GetAtt': [WorkerLambdaFunction, Arn] } }
    Named: { Value: { Ref: WorkerLambdaFunction } }
    Version: { Value: '1' }
`);
    const worker = { logicalId: 'WorkerLambdaFunction', name: 'canary-pkg-worker' };
    expect(templateFunctions(template)).toEqual([worker]);
    expect(aliasBypasses(template, worker, 'live').sort()).toEqual([
      'output Named',
      'output OtherAlias',
      'output Plain',
    ]);
  });
});
