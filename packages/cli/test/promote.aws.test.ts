// Build once, prove it in staging, promote exactly that to prod: packages kept in S3 (moto), promote
// deploying the kept package with prod's settings, refusing what staging did not prove.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf } from './helpers/deploys.js';
import { scratchExample } from '../../../tools/example/scratch.mjs';
import { TestRepo, tempRepo } from './helpers/repo.js';

const PACKAGE_DEPLOY = fileURLToPath(new URL('./fixtures/package-deploy.mjs', import.meta.url));
const s3 = new S3Client({ forcePathStyle: true });
let buckets = 0;

interface Traced {
  service: string;
  stage: string;
  commit: string;
  package: string;
}

interface Recorded {
  commit: string;
  fingerprint: string | null;
  artifact?: { uri: string; sha256: string };
  promotedFrom?: { stage: string; commit: string };
  e2e?: { status: string };
}

/** api ← web, both packaged by a command; web's e2e fails while `web-e2e-fails` exists. */
async function promotable(): Promise<{ repo: TestRepo; bucket: string }> {
  const bucket = `shipgraph-artifacts-${process.pid}-${buckets++}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\ndeploy-trace.jsonl\n*-e2e-fails\n',
  });
  const deployer = {
    type: 'command',
    package: ['node', PACKAGE_DEPLOY, repo.dir, 'package'],
    command: ['node', PACKAGE_DEPLOY, repo.dir, 'deploy'],
  };
  for (const [name, deps] of [
    ['api', {}],
    ['web', { api: '*' }],
  ] as const) {
    repo.write({
      [`services/${name}/package.json`]: {
        name,
        dependencies: deps,
        scripts: { 'test:e2e': 'node e2e.mjs' },
      },
      [`services/${name}/src/index.js`]: `export const name = '${name}';\n`,
      [`services/${name}/e2e.mjs`]: `import { existsSync } from 'node:fs';\nif (existsSync('../../${name}-e2e-fails')) process.exit(1);\n`,
    });
  }
  repo.write({
    'shipgraph.config.json': {
      stages: { staging: { artifacts: { bucket } }, prod: { protected: true } },
      services: { api: { deployer }, web: { deployer } },
    },
  });
  repo.commit();
  return { repo, bucket };
}

const traced = (repo: TestRepo): Traced[] =>
  existsSync(join(repo.dir, 'deploy-trace.jsonl'))
    ? readFileSync(join(repo.dir, 'deploy-trace.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Traced)
    : [];

const stateText = (repo: TestRepo, stage: string): string | null => {
  const file = join(repo.dir, `.shipgraph/state/${stage}.json`);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};
const records = (repo: TestRepo, stage: string): Record<string, Recorded> =>
  (JSON.parse(stateText(repo, stage) ?? '{"services":{}}') as { services: Record<string, Recorded> })
    .services;

const objectExists = (bucket: string, key: string): Promise<boolean> =>
  s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );

describe('promote (moto S3)', () => {
  it('keeps the packages staging deployed, promotes exactly them to prod, and then has nothing to promote', async () => {
    const { repo, bucket } = await promotable();
    const commit = repo.git('rev-parse', 'HEAD');
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    const kept = records(repo, 'staging');
    expect(kept.api?.e2e?.status).toBe('passed');
    expect(kept.api?.artifact?.uri).toBe(`s3://${bucket}/shipgraph/api/${commit}/`);
    for (const key of ['manifest.json', 'index.js']) {
      expect(await objectExists(bucket, `shipgraph/api/${commit}/${key}`)).toBe(true);
    }
    expect(await objectExists(bucket, 'shipgraph/api/latest-staging.json')).toBe(true);

    const dryRun = await repo.run(['promote', '--from', 'staging', '--to', 'prod', '--dry-run', '--json']);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({
      from: 'staging',
      to: 'prod',
      services: [
        { service: 'api', action: 'promote', commit },
        { service: 'web', action: 'promote', commit, dependsOn: ['api'] },
      ],
      batches: [['api'], ['web']],
    });
    expect(stateText(repo, 'prod')).toBeNull();

    const promoted = await repo.run([
      'promote',
      ...['--from', 'staging', '--to', 'prod', '--json', '--report', 'reports/promotion.html'],
    ]);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const page = readFileSync(join(repo.dir, 'reports/promotion.html'), 'utf8');
    expect(page).toContain('promote staging → prod');
    expect(page).toMatch(/api +promote +[0-9a-f]{12}/);
    expect(statusOf(JSON.parse(promoted.stdout) as never)).toEqual({ api: 'deployed', web: 'deployed' });
    // The same package bytes, deployed in dependency order, at the commit staging proved.
    const [stagingApi, stagingWeb, prodApi, prodWeb] = traced(repo);
    expect([prodApi?.stage, prodApi?.service, prodWeb?.service]).toEqual(['prod', 'api', 'web']);
    expect(prodApi?.package).toBe(stagingApi?.package);
    expect(prodWeb?.package).toBe(stagingWeb?.package);
    expect(prodApi?.commit).toBe(commit);
    expect(records(repo, 'prod').api).toMatchObject({
      commit,
      fingerprint: kept.api?.fingerprint,
      artifact: kept.api?.artifact,
      promotedFrom: { stage: 'staging', commit },
    });

    const again = await repo.run(['promote', '--from', 'staging', '--to', 'prod']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 to promote, 2 unchanged, 0 refused');
    expect(traced(repo)).toHaveLength(4);
  });

  it('refuses a service whose staging e2e failed, and what depends on it, leaving prod as it was', async () => {
    const { repo } = await promotable();
    expect((await deploy(repo, ['--stage', 'staging'])).exitCode).toBe(0);
    expect((await repo.run(['promote', '--from', 'staging', '--to', 'prod'])).exitCode).toBe(0);
    const prodBefore = stateText(repo, 'prod');

    repo.write({ 'services/api/src/index.js': "export const name = 'api v2';\n", 'api-e2e-fails': '' });
    repo.commit('api v2');
    const staging = await deploy(repo, ['--stage', 'staging']);
    expect(staging.exitCode).toBe(1);
    expect(records(repo, 'staging').api?.e2e?.status).toBe('failed');

    const tracedBefore = traced(repo).length;
    const refused = await repo.run(['promote', '--from', 'staging', '--to', 'prod']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /^ {2}api {2}refused {4}its e2e tests failed in staging at [0-9a-f]{12}$/m,
    );
    expect(refused.stderr).toContain(
      'web  refused    it depends on api, which cannot be promoted (its e2e tests failed',
    );
    expect(stateText(repo, 'prod')).toBe(prodBefore);
    expect(traced(repo)).toHaveLength(tracedBefore);
  });

  it('a commit that leaves a service as it was deploys the package kept for it, not a new build', async () => {
    const { repo, bucket } = await promotable();
    const first = repo.git('rev-parse', 'HEAD');
    expect((await deploy(repo, ['--stage', 'staging'])).exitCode).toBe(0);
    repo.write({ 'README.md': '# docs only\n' });
    const second = repo.commit('docs');
    const forced = await deploy(repo, ['--stage', 'staging', '--all']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(
      `deploying the package kept for ${first.slice(0, 12)}: same fingerprint, not built again`,
    );
    const [a1, , a2] = traced(repo);
    expect([a1?.commit, a2?.commit]).toEqual([first, second]);
    expect(a2?.package).toBe(a1?.package);
    const manifest = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `shipgraph/api/${second}/manifest.json` }),
    );
    expect(JSON.parse((await manifest.Body?.transformToString()) ?? '')).toMatchObject({
      commit: second,
      folder: `shipgraph/api/${first}/`,
    });
    // And what it names can be promoted: the files come from where they were kept.
    const promoted = await repo.run(['promote', '--from', 'staging', '--to', 'prod', '--only', 'api']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(traced(repo).at(-1)).toMatchObject({ stage: 'prod', commit: second, package: a1?.package });
  });

  it('refuses, before deploying anything, a service whose kept package is gone', async () => {
    const { repo, bucket } = await promotable();
    const commit = repo.git('rev-parse', 'HEAD');
    expect((await deploy(repo, ['--stage', 'staging'])).exitCode).toBe(0);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `shipgraph/api/${commit}/manifest.json` }));
    const result = await repo.run(['promote', '--from', 'staging', '--to', 'prod']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `api  refused    the package staging kept is gone from s3://${bucket}/shipgraph/api/${commit}/`,
    );
    expect(result.stderr).toContain('web  refused    it depends on api, which cannot be promoted');
    expect(stateText(repo, 'prod')).toBeNull();
  });

  it('keeps an npm-script service with a package script; one without deploys from source, unkept', async () => {
    const bucket = `shipgraph-artifacts-${process.pid}-${buckets++}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const script = (mode: string) => `node ${JSON.stringify(PACKAGE_DEPLOY)} ../.. ${mode}`;
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      '.gitignore': '.shipgraph/\ndeploy-trace.jsonl\n',
      'services/kept/package.json': {
        name: 'kept',
        scripts: { package: script('package'), deploy: script('deploy') },
      },
      'services/kept/src/index.js': 'export {};\n',
      'services/plain/package.json': { name: 'plain', scripts: { deploy: 'true' } },
      'shipgraph.config.json': {
        stages: { staging: { artifacts: { bucket }, e2e: false } },
        services: { kept: {}, plain: {} },
      },
    });
    const commit = repo.commit();
    const result = await deploy(repo, ['--stage', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /\[plain\/us-east-1\] its deployer makes no package to keep: deployed from source/,
    );
    expect(await objectExists(bucket, `shipgraph/kept/${commit}/manifest.json`)).toBe(true);
    expect(records(repo, 'staging').kept?.artifact?.uri).toBe(`s3://${bucket}/shipgraph/kept/${commit}/`);
    expect(records(repo, 'staging').plain?.artifact).toBeUndefined();
    expect(traced(repo)).toMatchObject([{ service: 'kept', stage: 'staging', commit }]);
  });

  it('refuses a checkout with uncommitted changes before it takes the lock', async () => {
    const { repo } = await promotable();
    expect((await deploy(repo, ['--stage', 'staging'])).exitCode).toBe(0);
    repo.write({ 'services/api/src/index.js': "export const name = 'edited';\n" });
    const result = await repo.run(['promote', '--from', 'staging', '--to', 'prod']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^shipgraph: E_DIRTY_CHECKOUT: cannot promote: 1 tracked file differs from [0-9a-f]{12}: services\/api\/src\/index.js/m,
    );
    expect(stateText(repo, 'prod')).toBeNull();
  });

  it('refuses to promote from a stage that keeps no artifacts, and --from equal to --to', async () => {
    const { repo } = await promotable();
    const fromProd = await repo.run(['promote', '--from', 'prod', '--to', 'staging']);
    expect(fromProd.exitCode).toBe(2);
    expect(fromProd.stderr).toBe(
      'shipgraph: E_CONFIG: stage prod keeps no artifacts, so there is nothing to promote (fix: set stages.prod.artifacts ({ "bucket": "..." }) and deploy it again)',
    );
    const same = await repo.run(['promote', '--from', 'staging', '--to', 'staging']);
    expect(same).toMatchObject({ exitCode: 2, stdout: '' });
    expect(same.stderr).toMatch(/^shipgraph: E_USAGE: --from and --to are both staging/);
  });
});

describe('promote a Serverless service (osls on moto)', () => {
  const lambda = new LambdaClient({});
  const codeOf = async (stage: string): Promise<Record<string, string>> => {
    const code: Record<string, string> = {};
    for (const fn of ['createOrder', 'getOrder']) {
      const found = await lambda.send(new GetFunctionCommand({ FunctionName: `orders-api-${stage}-${fn}` }));
      code[fn] = found.Configuration?.CodeSha256 ?? '';
    }
    return code;
  };

  it('runs in prod the very code staging ran, packaged for prod and checked byte for byte', async () => {
    const bucket = `shipgraph-artifacts-${process.pid}-${buckets++}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const repo = new TestRepo(scratchExample());
    try {
      const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as {
        stages: Record<string, object>;
      };
      config.stages['promo-src'] = { regions: ['us-east-1'], artifacts: { bucket } };
      config.stages['promo-dst'] = { regions: ['us-east-1'] };
      config.stages['promo-other'] = { regions: ['us-east-1'] };
      repo.write({ 'shipgraph.config.json': config });
      const commit = repo.commit('stages that promote');
      const only = ['--only', '@acme/orders-api'];
      const staging = await deploy(repo, ['--stage', 'promo-src', ...only]);
      expect(staging.exitCode, staging.stderr).toBe(0);
      expect(staging.summary?.e2e).toMatchObject([{ service: '@acme/orders-api', status: 'passed' }]);
      expect(await objectExists(bucket, `shipgraph/_acme_orders-api/${commit}/us-east-1/manifest.json`)).toBe(
        true,
      );

      const promoted = await repo.run(['promote', '--from', 'promo-src', '--to', 'promo-dst', ...only]);
      expect(promoted.exitCode, promoted.stderr).toBe(0);
      expect(promoted.stderr).toMatch(/packaged for promo-dst: its code is what promo-src ran/);
      const [ran, runs] = [await codeOf('promo-src'), await codeOf('promo-dst')];
      expect(runs).toEqual(ran);
      expect(records(repo, 'promo-dst')['@acme/orders-api']).toMatchObject({
        commit,
        artifact: records(repo, 'promo-src')['@acme/orders-api']?.artifact,
        promotedFrom: { stage: 'promo-src', commit },
      });

      // A package whose code is not what the source ran (as a build that is not reproducible makes)
      // is not deployed: here the kept manifest says other code.
      const key = `shipgraph/_acme_orders-api/${commit}/us-east-1/manifest.json`;
      const manifest = JSON.parse(
        (await (
          await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        ).Body?.transformToString()) ?? '',
      ) as { code: string };
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify({ ...manifest, code: 'f'.repeat(64) }),
        }),
      );
      const refused = await repo.run(['promote', '--from', 'promo-src', '--to', 'promo-other', ...only]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(
        /E_ARTIFACT_MISMATCH: @acme\/orders-api's code packaged for promo-other differs from what promo-src ran \([0-9a-f]{12}, not ffffffffffff\)/,
      );
      expect(records(repo, 'promo-other')).toEqual({});
      await expect(
        lambda.send(new GetFunctionCommand({ FunctionName: 'orders-api-promo-other-createOrder' })),
      ).rejects.toThrow(/not found/i);
    } finally {
      rmSync(repo.dir, { recursive: true, force: true });
    }
  });
});
