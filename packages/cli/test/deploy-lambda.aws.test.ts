// The lambda deployer, gradual rollouts and rollback, against moto with real SDK calls: the test
// creates the functions (infrastructure owns them), shipgraph ships their code.
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListLayerVersionsCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf } from './helpers/deploys.js';
import {
  aliasOf,
  BUILD,
  createFunction,
  lambdaRepo,
  logOf,
  putErrorsAlarm,
  versionsOf,
  waitForWeights,
  watchAlias,
} from './helpers/lambda-repo.js';
import { INSTALLED, npmDependencyWorkspace, packageLock, type Installed } from './helpers/npm-lock.js';
import { BIN, tempRepo } from './helpers/repo.js';

const FAKE_DEPLOY = fileURLToPath(new URL('./fixtures/fake-deploy.mjs', import.meta.url));
const lambda = new LambdaClient({});
const s3 = new S3Client({});
const cloudWatch = new CloudWatchClient({});

const objectSha256 = async (bucket: string, key: string): Promise<string> => {
  const found = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await found.Body?.transformToByteArray();
  return createHash('sha256')
    .update(bytes ?? new Uint8Array())
    .digest('base64');
};

/** The layer's versions, oldest first. */
const layerVersionsOf = async (layer: string): Promise<number[]> =>
  ((await lambda.send(new ListLayerVersionsCommand({ LayerName: layer }))).LayerVersions ?? [])
    .map((version) => version.Version ?? 0)
    .sort((a, b) => a - b);

/** The layers (name:version) a version of the function uses. */
const layersOfVersion = async (fn: string, version: string): Promise<string[]> =>
  (
    (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: version })))
      .Layers ?? []
  ).map((layer) => (layer.Arn ?? '').replace(/^.*:layer:/, ''));

/**
 * `api` ships code with a dependencies layer, in an npm workspace with its lockfile. The layer's build
 * counts its runs, and is not byte-stable: its zip alone would always look new.
 */
async function layeredRepo(stage: string) {
  const fn = `api-${stage}`;
  await createFunction(fn);
  await s3.send(new CreateBucketCommand({ Bucket: `code-${stage}` }));
  const layerBuild = `import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
appendFileSync('layer-builds.log', 'built\\n');
mkdirSync('layer/nodejs/node_modules/ms', { recursive: true });
writeFileSync('layer/nodejs/node_modules/ms/index.js', \`// installed \${randomUUID()}\\n\`);
`;
  const repo = tempRepo({
    ...npmDependencyWorkspace(),
    '.gitignore': '.shipgraph/\ndist/\nlayer/\nlayer-builds.log\n.attempts-*\ndeploy-trace.jsonl\n',
    'services/api/build.mjs': BUILD,
    'services/api/layer.mjs': layerBuild,
    'services/api/src/index.mjs': 'export const handler = async () => 1;\n',
    'services/web/src/index.js': 'export {};\n',
  });
  repo.write({
    'shipgraph.config.json': {
      services: {
        api: {
          deployer: {
            type: 'lambda',
            functions: ['api-{stage}'],
            build: { command: ['node', 'build.mjs'], dir: 'dist' },
            bucket: 'code-{stage}',
            layer: { name: 'deps-{stage}', build: { command: ['node', 'layer.mjs'], dir: 'layer' } },
          },
        },
        web: { deployer: { type: 'command', command: ['node', FAKE_DEPLOY, repo.dir] } },
      },
    },
  });
  repo.commit();
  const layerVersions = () => layerVersionsOf(`deps-${stage}`);
  const layersOf = (version: string) => layersOfVersion(fn, version);
  const builds = (): number => {
    const log = join(repo.dir, 'services/api/layer-builds.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0;
  };
  let installed = INSTALLED;
  /** Commits the lockfile with these versions moved. */
  const bump = (moved: Partial<Installed>): void => {
    installed = { ...installed, ...moved };
    repo.write({ 'package-lock.json': packageLock(installed) }).commit();
  };
  return { repo, fn, stage, layerVersions, layersOf, builds, bump };
}

describe('the lambda deployer (moto)', () => {
  it('publishes version 1 and the alias, skips the same code, publishes 2 on a change, and rolls back', async () => {
    const { repo, fn, bucket, stage, changeCode } = await lambdaRepo('lam-basic');
    const first = await deploy(repo, ['--stage', stage]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(statusOf(first.summary)).toEqual({ api: 'deployed', web: 'deployed' });
    expect(await versionsOf(fn)).toEqual(['1']);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    const firstCommit = repo.git('rev-parse', 'HEAD');
    // The zip uploaded is the code Lambda runs, under the commit and as latest.
    const deployed = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '1' }),
    );
    expect(await objectSha256(bucket, `api/${firstCommit}.zip`)).toBe(deployed.CodeSha256);
    expect(await objectSha256(bucket, 'api/latest.zip')).toBe(deployed.CodeSha256);

    // Built again from the same files, the zip has the same bytes: nothing to do.
    const again = await deploy(repo, ['--stage', stage, '--all']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(statusOf(again.summary)).toEqual({ api: 'unchanged', web: 'deployed' });
    expect(await versionsOf(fn)).toEqual(['1']);

    const secondCommit = changeCode(2);
    const second = await deploy(repo, ['--stage', stage]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(statusOf(second.summary)).toEqual({ api: 'deployed', web: 'deployed' });
    expect(await versionsOf(fn)).toEqual(['1', '2']);
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });
    const latest = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '2' }),
    );
    expect(await objectSha256(bucket, `api/${secondCommit}.zip`)).toBe(latest.CodeSha256);
    expect(await objectSha256(bucket, 'api/latest.zip')).toBe(latest.CodeSha256);
    expect(latest.CodeSha256).not.toBe(deployed.CodeSha256);

    const rollback = await repo.run(['rollback', '--stage', stage, '--only', 'api', '--json']);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toEqual({
      version: 1,
      stage,
      results: [{ service: 'api', region: 'us-east-1', moved: [`${fn}:${stage} version 2 → 1`] }],
    });
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
  });

  it('says so when there is nothing to roll back to, and refuses services that cannot roll back', async () => {
    const { repo, stage } = await lambdaRepo('lam-norollback');
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    const first = await repo.run(['rollback', '--stage', stage, '--only', 'api']);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('E_ROLLBACK');
    expect(first.stderr).toContain(`api-${stage}:${stage} has no previous version to go back to`);
    const web = await repo.run(['rollback', '--stage', stage, '--only', 'web']);
    expect(web.exitCode).toBe(2);
    expect(web.stderr).toContain('web deploys with command, which has no rollback');
  });

  it('shifts traffic in linear steps through the alias, watched from outside while it bakes', async () => {
    const rollout = { type: 'linear', percent: 25, seconds: 1.5, pollSeconds: 0.2 };
    const { repo, fn, stage, changeCode } = await lambdaRepo('lam-linear', rollout);
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    changeCode(2);
    const watch = watchAlias(fn, stage);
    const second = await deploy(repo, ['--stage', stage]);
    const seen = await watch.stop();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(statusOf(second.summary)).toEqual({ api: 'deployed', web: 'deployed' });
    expect(seen).toContain('1 {"2":0.25}');
    expect(seen).toContain('1 {"2":0.5}');
    expect(seen).toContain('1 {"2":0.75}');
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });
    const log = logOf(repo.dir, stage);
    for (const share of [25, 50, 75]) expect(log).toContain(`${fn}:${stage} sends ${share}% to version 2`);
    expect(log).toContain(`rollout: ${fn}:${stage} on version 2`);
  });

  it('rolls the alias back when an alarm fires during a canary, failing the service and blocking its dependents', async () => {
    const alarm = 'lam-canary-errors';
    await putErrorsAlarm(alarm);
    const rollout = { type: 'canary', percent: 10, seconds: 20, pollSeconds: 0.2, alarms: [alarm] };
    const { repo, fn, stage, changeCode } = await lambdaRepo('lam-canary', rollout);
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    changeCode(2);
    const deploying = deploy(repo, ['--stage', stage]);
    // Once the canary takes its 10%, the alarm fires.
    await waitForWeights(fn, stage, '{"2":0.1}');
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test: errors' }),
    );
    const second = await deploying;
    expect(second.exitCode).toBe(1);
    expect(statusOf(second.summary)).toEqual({ api: 'failed', web: 'blocked' });
    const api = second.summary?.results.find((result) => result.service === 'api');
    expect(api?.error).toBe(`alarm ${alarm} in ALARM during the rollout: rolled back`);
    // A failure that retrying cannot fix: tried once.
    expect(api?.attempts).toBe(1);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    expect(logOf(repo.dir, stage)).toContain(`rolled back: ${fn}:${stage} on version 1 again`);
  });

  it('leaves the alias on the old version when a signal interrupts the rollout', async () => {
    const rollout = { type: 'canary', percent: 10, seconds: 60, pollSeconds: 0.2 };
    const { repo, fn, stage, changeCode } = await lambdaRepo('lam-signal', rollout);
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    changeCode(2);
    const child = spawn('node', [BIN, 'deploy', '--json', '--no-check-stacks', '--stage', stage], {
      cwd: repo.dir,
      stdio: 'ignore',
      env: { ...process.env, CI: 'true', GIT_CONFIG_NOSYSTEM: '1' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitForWeights(fn, stage, '{"2":0.1}');
    child.kill('SIGINT');
    // Well before the 60 s bake would end.
    expect(await exited).toBe(130);
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
    expect(logOf(repo.dir, stage)).toContain('rollout interrupted: rolled back to the version before');
  });

  it('refuses to shift traffic under an alarm that does not exist', async () => {
    const rollout = {
      type: 'canary',
      percent: 10,
      seconds: 1,
      pollSeconds: 0.2,
      alarms: ['no-such-alarm-{stage}'],
    };
    const { repo, fn, stage, changeCode } = await lambdaRepo('lam-noalarm', rollout);
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    changeCode(2);
    const second = await deploy(repo, ['--stage', stage]);
    expect(second.exitCode).toBe(1);
    expect(second.summary?.results.find((result) => result.service === 'api')?.error).toContain(
      `E_DEPLOYER: rollout alarm no-such-alarm-${stage} does not exist in us-east-1`,
    );
    expect(await aliasOf(fn, stage)).toEqual({ version: '1', weights: {} });
  });

  it('keeps the zip as the artifact of a stage that keeps them, and promote ships the same bytes', async () => {
    const [staging, prod] = ['lam-stg', 'lam-prd'];
    const artifacts = 'lam-artifacts';
    await s3.send(new CreateBucketCommand({ Bucket: artifacts }));
    for (const stage of [staging, prod]) {
      await createFunction(`api-${stage}`);
      await s3.send(new CreateBucketCommand({ Bucket: `code-${stage}` }));
    }
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      '.gitignore': '.shipgraph/\ndist/\n',
      'services/api/package.json': { name: 'api', scripts: { 'test:e2e': 'node -e ""' } },
      'services/api/build.mjs': BUILD,
      'services/api/src/index.mjs': 'export const handler = async () => 1;\n',
      'shipgraph.config.json': {
        stages: { [staging]: { artifacts: { bucket: artifacts } }, [prod]: {} },
        services: {
          api: {
            deployer: {
              type: 'lambda',
              functions: ['api-{stage}'],
              build: { command: ['node', 'build.mjs'], dir: 'dist' },
              bucket: 'code-{stage}',
            },
          },
        },
      },
    });
    repo.commit();
    const first = await deploy(repo, ['--stage', staging]);
    expect(first.exitCode, first.stderr).toBe(0);
    const promoted = await repo.run(['promote', '--from', staging, '--to', prod, '--skip-e2e']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const code = async (stage: string) =>
      (
        await lambda.send(
          new GetFunctionConfigurationCommand({ FunctionName: `api-${stage}`, Qualifier: '1' }),
        )
      ).CodeSha256;
    expect(await code(prod)).toBe(await code(staging));
    expect(await aliasOf(`api-${prod}`, prod)).toEqual({ version: '1', weights: {} });
  });

  it('without a lockfile, publishes a layer version only when its zip changes, and points the function at it', async () => {
    const stage = 'lam-layer';
    const fn = `api-${stage}`;
    await createFunction(fn);
    await s3.send(new CreateBucketCommand({ Bucket: `code-${stage}` }));
    // The layer's build: "installs" the dependencies deps.json names (what `npm ci --omit=dev` would).
    const layerBuild = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
mkdirSync('layer/nodejs/node_modules/dep', { recursive: true });
writeFileSync('layer/nodejs/node_modules/dep/index.js', readFileSync('deps.json', 'utf8'));
`;
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      '.gitignore': '.shipgraph/\ndist/\nlayer/\n',
      'services/api/package.json': { name: 'api' },
      'services/api/build.mjs': BUILD,
      'services/api/layer.mjs': layerBuild,
      'services/api/deps.json': '{ "dep": "1.0.0" }\n',
      'services/api/src/index.mjs': 'export const handler = async () => 1;\n',
      'shipgraph.config.json': {
        services: {
          api: {
            deployer: {
              type: 'lambda',
              functions: ['api-{stage}'],
              build: { command: ['node', 'build.mjs'], dir: 'dist' },
              bucket: 'code-{stage}',
              layer: { name: 'deps-{stage}', build: { command: ['node', 'layer.mjs'], dir: 'layer' } },
            },
          },
        },
      },
    });
    repo.commit();
    const layerVersions = () => layerVersionsOf(`deps-${stage}`);
    const layersOf = (version: string) => layersOfVersion(fn, version);

    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    expect(await layerVersions()).toEqual([1]);
    expect(await layersOf('1')).toEqual([`deps-${stage}:1`]);
    // Without a lockfile, only the built zip can tell.
    expect(logOf(repo.dir, stage)).toContain(
      `layer deps-${stage}: cannot tell whether its dependencies changed (no lockfile at the repository root); building it to compare its zip`,
    );

    repo.write({ 'services/api/src/index.mjs': 'export const handler = async () => 2;\n' }).commit();
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    expect(await layerVersions()).toEqual([1]);
    expect(await layersOf('2')).toEqual([`deps-${stage}:1`]);
    expect(logOf(repo.dir, stage)).toContain(`layer deps-${stage}: same zip as version 1`);

    repo.write({ 'services/api/deps.json': '{ "dep": "1.1.0" }\n' }).commit();
    const third = await deploy(repo, ['--stage', stage]);
    expect(statusOf(third.summary)).toEqual({ api: 'deployed' });
    expect(await layerVersions()).toEqual([1, 2]);
    expect(await layersOf('3')).toEqual([`deps-${stage}:2`]);
    expect(await aliasOf(fn, stage)).toEqual({ version: '3', weights: {} });

    const again = await deploy(repo, ['--stage', stage, '--all']);
    expect(statusOf(again.summary)).toEqual({ api: 'unchanged' });
    expect(await layerVersions()).toEqual([1, 2]);
  });
  it('builds no layer while the resolved dependencies stay, even when the build would give other bytes', async () => {
    const { repo, fn, stage, layerVersions, layersOf, builds, bump } = await layeredRepo('lam-deps-same');
    const first = await deploy(repo, ['--stage', stage]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(builds()).toBe(1);
    expect(await layerVersions()).toEqual([1]);
    expect(await layersOf('1')).toEqual([`deps-${stage}:1`]);
    expect(logOf(repo.dir, stage)).toContain(`layer deps-${stage}: its first version, version 1 published`);
    const [published] =
      (await lambda.send(new ListLayerVersionsCommand({ LayerName: `deps-${stage}` }))).LayerVersions ?? [];
    expect(published?.Description).toMatch(/^shipgraph deps [0-9a-f]{64} [0-9a-f]{40}$/);

    repo.write({ 'services/api/src/index.mjs': 'export const handler = async () => 2;\n' }).commit();
    const second = await deploy(repo, ['--stage', stage]);
    expect(statusOf(second.summary)).toEqual({ api: 'deployed', web: 'skipped' });
    expect(builds()).toBe(1);
    expect(await layerVersions()).toEqual([1]);
    expect(await layersOf('2')).toEqual([`deps-${stage}:1`]);
    expect(logOf(repo.dir, stage)).toMatch(
      new RegExp(
        `layer deps-${stage}: resolved dependencies unchanged \\([0-9a-f]{12}\\), version 1; not built`,
      ),
    );

    // Another service's dependency moved: api deploys only because --all says so.
    bump({ leftPad: '1.3.1' });
    const third = await deploy(repo, ['--stage', stage, '--all']);
    expect(statusOf(third.summary)).toEqual({ api: 'unchanged', web: 'deployed' });
    // api's own dev dependency moved: the plan deploys api, its layer carries nothing new.
    bump({ typescript: '5.5.0' });
    const fourth = await deploy(repo, ['--stage', stage]);
    expect(statusOf(fourth.summary)).toEqual({ api: 'unchanged', web: 'skipped' });
    expect(builds()).toBe(1);
    expect(await layerVersions()).toEqual([1]);
    expect(await aliasOf(fn, stage)).toEqual({ version: '2', weights: {} });
  });

  it('publishes a layer version when a dependency of the service, or of a library it uses, resolves anew', async () => {
    const { repo, fn, stage, layerVersions, layersOf, builds, bump } = await layeredRepo('lam-deps-moved');
    expect((await deploy(repo, ['--stage', stage])).exitCode).toBe(0);
    expect(await layerVersions()).toEqual([1]);

    bump({ ms: '2.1.4' });
    const second = await deploy(repo, ['--stage', stage]);
    expect(statusOf(second.summary)).toEqual({ api: 'deployed', web: 'skipped' });
    expect(builds()).toBe(2);
    expect(await layerVersions()).toEqual([1, 2]);
    expect(await layersOf('2')).toEqual([`deps-${stage}:2`]);
    expect(logOf(repo.dir, stage)).toContain(
      `layer deps-${stage}: resolved dependencies changed, version 2 published`,
    );

    bump({ isNumber: '7.0.1' });
    const third = await deploy(repo, ['--stage', stage]);
    expect(statusOf(third.summary)).toEqual({ api: 'deployed', web: 'skipped' });
    expect(builds()).toBe(3);
    expect(await layerVersions()).toEqual([1, 2, 3]);
    expect(await layersOf('3')).toEqual([`deps-${stage}:3`]);
    expect(await aliasOf(fn, stage)).toEqual({ version: '3', weights: {} });
  });
});
