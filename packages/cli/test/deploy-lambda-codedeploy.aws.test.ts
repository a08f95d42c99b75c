// Rollouts through CodeDeploy: functions, aliases and code in moto, CodeDeploy played by a local
// endpoint (moto's deployments never leave "Created") that the CLI reaches through
// AWS_ENDPOINT_URL_CODEDEPLOY, everything else staying on moto.
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf, until, type SummaryJson } from './helpers/deploys.js';
import { FAILURE_MESSAGE, fakeCodeDeploy } from './helpers/fake-codedeploy.js';
import { aliasOf, createFunction, lambdaRepo, logOf } from './helpers/lambda-repo.js';
import { BIN } from './helpers/repo.js';

const lambda = new LambdaClient({});

const CANARY = 'CodeDeployDefault.LambdaCanary10Percent5Minutes';
const rollout = {
  codeDeploy: { application: 'shop-{stage}', deploymentGroup: 'api-{region}', config: CANARY },
  pollSeconds: 0.2,
};

const descriptionOf = async (fn: string, alias: string) =>
  (await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: alias }))).Description;

const errorOf = (summary: SummaryJson | null, service: string) =>
  summary?.results.find((result) => result.service === service)?.error;

describe('rollouts through CodeDeploy (moto, and a local CodeDeploy)', () => {
  it('moves the alias with a deployment, records the version before for rollback, and skips unchanged code', async () => {
    const { repo, fn, stage, changeCode } = await lambdaRepo('cd-ok', rollout);
    const codeDeploy = await fakeCodeDeploy([`shop-${stage}/api-us-east-1`], 'succeed');
    const env = { AWS_ENDPOINT_URL_CODEDEPLOY: codeDeploy.url };
    // The first deploy creates the alias: no traffic to shift, no deployment.
    expect((await deploy(repo, ['--stage', stage], env)).exitCode).toBe(0);
    expect(codeDeploy.requests).toEqual([]);

    changeCode(2);
    const second = await deploy(repo, ['--stage', stage], env);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(statusOf(second.summary)).toEqual({ api: 'deployed', web: 'deployed' });
    const [created, ...more] = codeDeploy.sent('CreateDeployment');
    expect(more).toEqual([]);
    expect(created).toMatchObject({
      applicationName: `shop-${stage}`,
      deploymentGroupName: 'api-us-east-1',
      deploymentConfigName: CANARY,
      revision: { revisionType: 'AppSpecContent' },
    });
    const content = (created?.revision as { appSpecContent: { content: string } }).appSpecContent.content;
    expect(JSON.parse(content)).toEqual({
      version: '0.0',
      Resources: [
        {
          [fn]: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: fn, Alias: stage, CurrentVersion: '1', TargetVersion: '2' },
          },
        },
      ],
    });
    // The group was checked first, then the deployment watched until it succeeded.
    expect(codeDeploy.requests.map((request) => request.operation)).toEqual([
      'GetDeploymentGroup',
      'CreateDeployment',
      'GetDeployment',
      'GetDeployment',
      'GetDeployment',
    ]);
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });
    expect(await descriptionOf(fn, stage)).toBe('shipgraph: previous version 1');
    const log = logOf(repo.dir, stage);
    expect(log).toContain(`CodeDeploy deployment d-FAKE00001 moves ${fn}:${stage} from version 1 to 2`);
    expect(log).toContain('CodeDeploy deployment d-FAKE00001 InProgress');
    expect(log).toContain(`rollout: ${fn}:${stage} on version 2`);

    // The same code again: the alias serves it already, so no deployment.
    const again = await deploy(repo, ['--stage', stage, '--all'], env);
    expect(statusOf(again.summary)).toEqual({ api: 'unchanged', web: 'deployed' });
    expect(codeDeploy.sent('CreateDeployment')).toHaveLength(1);

    const rollback = await repo.run(['rollback', '--stage', stage, '--only', 'api', '--json'], env);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({
      results: [{ service: 'api', moved: [`${fn}:${stage} version 2 → 1`] }],
    });
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
  });

  it('fails the service with the deployment and CodeDeploy’s reason when the deployment fails', async () => {
    const { repo, fn, stage, changeCode } = await lambdaRepo('cd-fail', rollout);
    const codeDeploy = await fakeCodeDeploy([`shop-${stage}/api-us-east-1`], 'fail');
    const env = { AWS_ENDPOINT_URL_CODEDEPLOY: codeDeploy.url };
    expect((await deploy(repo, ['--stage', stage], env)).exitCode).toBe(0);
    changeCode(2);
    const second = await deploy(repo, ['--stage', stage], env);
    expect(second.exitCode).toBe(1);
    expect(statusOf(second.summary)).toEqual({ api: 'failed', web: 'blocked' });
    expect(errorOf(second.summary, 'api')).toBe(
      `CodeDeploy deployment d-FAKE00001 Failed: ${FAILURE_MESSAGE}; ${fn}:${stage} serves version 1`,
    );
    // A failure that retrying cannot fix: tried once.
    expect(second.summary?.results.find((result) => result.service === 'api')?.attempts).toBe(1);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    // Nothing recorded as the version before: there was no move to go back from.
    expect(await descriptionOf(fn, stage)).toBe('shipgraph');
  });

  it('moves back the aliases CodeDeploy already moved when a later function’s deployment fails', async () => {
    const { repo, fn, stage, changeCode } = await lambdaRepo('cd-two', rollout);
    const worker = `worker-${stage}`;
    await createFunction(worker);
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as {
      services: { api: { deployer: { functions: string[] } } };
    };
    config.services.api.deployer.functions.push('worker-{stage}');
    repo.write({ 'shipgraph.config.json': config }).commit('api ships the worker too');
    const codeDeploy = await fakeCodeDeploy([`shop-${stage}/api-us-east-1`], (name) =>
      name === worker ? 'fail' : 'succeed',
    );
    const env = { AWS_ENDPOINT_URL_CODEDEPLOY: codeDeploy.url };
    expect((await deploy(repo, ['--stage', stage], env)).exitCode).toBe(0);
    changeCode(2);
    const second = await deploy(repo, ['--stage', stage], env);
    expect(second.exitCode).toBe(1);
    // One deployment per function, the second after the first ended.
    const moved = codeDeploy.sent('CreateDeployment').map((body) => {
      const { content } = (body.revision as { appSpecContent: { content: string } }).appSpecContent;
      return Object.keys((JSON.parse(content) as { Resources: object[] }).Resources[0] ?? {});
    });
    expect(moved).toEqual([[fn], [worker]]);
    expect(errorOf(second.summary, 'api')).toBe(
      `CodeDeploy deployment d-FAKE00002 Failed: ${FAILURE_MESSAGE}; ${worker}:${stage} serves version 1`,
    );
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    expect(await aliasOf(worker, stage)).toEqual({ version: '1', weights: {} });
    expect(logOf(repo.dir, stage)).toContain(`rolled back: ${fn}:${stage} on version 1 again`);
  });

  it('stops the deployment, with rollback, when a signal interrupts it', async () => {
    const { repo, fn, stage, changeCode } = await lambdaRepo('cd-signal', rollout);
    const codeDeploy = await fakeCodeDeploy([`shop-${stage}/api-us-east-1`], 'run until stopped');
    const env = { AWS_ENDPOINT_URL_CODEDEPLOY: codeDeploy.url };
    expect((await deploy(repo, ['--stage', stage], env)).exitCode).toBe(0);
    changeCode(2);
    const child = spawn('node', [BIN, 'deploy', '--json', '--no-check-stacks', '--stage', stage], {
      cwd: repo.dir,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, ...env, CI: 'true', GIT_CONFIG_NOSYSTEM: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => codeDeploy.sent('GetDeployment').length >= 2, 'the deployment in progress', 60_000);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: { '2': 0.1 } });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    // CodeDeploy rolls back on its own time (ROLLBACK_MS after the stop): shipgraph waited for it before
    // it exited, so the alias already serves the version before, all of it.
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    expect(codeDeploy.sent('StopDeployment')).toEqual([
      { deploymentId: 'd-FAKE00001', autoRollbackEnabled: true },
    ]);
    const summary = JSON.parse(stdout) as SummaryJson;
    expect(statusOf(summary).api).toBe('failed');
    expect(errorOf(summary, 'api')).toBe(
      `rollout interrupted: CodeDeploy deployment d-FAKE00001 stopped and rolled back (d-FAKE00002 Succeeded); ${fn}:${stage} serves version 1`,
    );
  });

  it('refuses a deployment group that does not exist, in one line, before any deployment', async () => {
    const { repo, fn, stage, changeCode } = await lambdaRepo('cd-nogroup', rollout);
    const codeDeploy = await fakeCodeDeploy([`shop-${stage}/api-eu-west-1`], 'succeed');
    const env = { AWS_ENDPOINT_URL_CODEDEPLOY: codeDeploy.url };
    expect((await deploy(repo, ['--stage', stage], env)).exitCode).toBe(0);
    changeCode(2);
    const second = await deploy(repo, ['--stage', stage], env);
    expect(second.exitCode).toBe(1);
    expect(statusOf(second.summary)).toEqual({ api: 'failed', web: 'blocked' });
    expect(errorOf(second.summary, 'api')).toBe(
      `E_DEPLOYER: CodeDeploy deployment group api-us-east-1 of application shop-${stage} does not exist in us-east-1` +
        ' (fix: check deployer.rollout.codeDeploy (application and deploymentGroup, with {stage} and {region} filled in))',
    );
    expect(second.stderr).not.toMatch(/^\s+at /m);
    expect(codeDeploy.requests.map((request) => request.operation)).toEqual(['GetDeploymentGroup']);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
  });
});
