// What the run learns and the plan could not know (moto): a service that only reads another's outputs
// deploys when those outputs changed, and an e2e run is skipped where nothing it tests moved.
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf, type SummaryJson } from './helpers/deploys.js';
import { tempRepo, type TestRepo } from './helpers/repo.js';

const FAKE_DEPLOY = fileURLToPath(new URL('./fixtures/fake-deploy.mjs', import.meta.url));
const FAKE_E2E = fileURLToPath(new URL('./fixtures/fake-e2e.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** api's stack: a queue, its name as an output, and a `Version` output the test can change. */
const apiTemplate = ({ delay = 0, version = '1' } = {}) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: ${delay}
Outputs:
  QueueName:
    Value: !GetAtt Queue.QueueName
  Version:
    Value: '${version}'
`;

/**
 * api (CloudFormation); web reads its outputs only (the config's dependsOn); worker reads them too and
 * also ships api's package (package.json): a code edge.
 */
function outputsRepo(name: string): TestRepo {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\ndeploy-trace.jsonl\n.attempts-*\n',
    [`services/${name}/package.json`]: { name },
    [`services/${name}/template.yml`]: apiTemplate(),
    'services/web/package.json': { name: 'web' },
    'services/web/src/index.js': 'export const name = "web";\n',
    'services/worker/package.json': { name: 'worker', dependencies: { [name]: '*' } },
    'services/worker/src/index.js': 'export const name = "worker";\n',
  });
  const command = { type: 'command', command: ['node', FAKE_DEPLOY, repo.dir] };
  repo.write({
    'shipgraph.config.json': {
      services: {
        [name]: { deployer: { type: 'cloudformation' } },
        web: { dependsOn: [name], deployer: command },
        worker: { dependsOn: [name], deployer: command },
      },
    },
  });
  repo.commit();
  return repo;
}

const started = (repo: TestRepo): string[] =>
  existsSync(join(repo.dir, 'deploy-trace.jsonl'))
    ? readFileSync(join(repo.dir, 'deploy-trace.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { service: string; event: string })
        .filter((entry) => entry.event === 'start')
        .map((entry) => entry.service)
    : [];

const noteOf = (summary: SummaryJson | null, service: string): string | undefined =>
  (summary?.results.find((result) => result.service === service) as { note?: string } | undefined)?.note;

describe('a service that only reads another’s outputs (moto)', () => {
  it('is not deployed when the template changed but the outputs did not, and is when an output changed', async () => {
    const api = `outs${process.pid}`;
    const repo = outputsRepo(api);
    const first = await deploy(repo, ['--skip-e2e']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(statusOf(first.summary)).toEqual({ [api]: 'deployed', web: 'deployed', worker: 'deployed' });
    repo.remove('deploy-trace.jsonl');

    // (1) The queue changes; its name and the Version output do not.
    repo.write({ [`services/${api}/template.yml`]: apiTemplate({ delay: 5 }) });
    repo.commit('delay the queue');
    const plan = await repo.plan();
    expect(plan.services.find((service) => service.name === 'web')).toMatchObject({
      deploy: true,
      conditionalOn: [api],
      reasons: [{ kind: 'dependency', via: api, conditional: true, detail: 'if its outputs change' }],
    });
    const planned = await repo.run(['plan']);
    expect(planned.stdout).toMatch(
      /^web +if outputs change +\d+ +dependency \S+ \(if its outputs change\)$/m,
    );

    const same = await repo.run(['deploy', '--no-check-stacks', '--skip-e2e']);
    expect(same.exitCode, same.stderr).toBe(0);
    // Its deploy command never ran; the summary says why.
    expect(started(repo)).toEqual(['worker']);
    expect(same.stdout).toMatch(new RegExp(`^${api} +us-east-1 +deployed `, 'm'));
    expect(same.stdout).toMatch(/^worker +us-east-1 +deployed /m);
    expect(same.stdout).toMatch(
      new RegExp(`^web +us-east-1 +skipped +- +dependency ${api}: its outputs did not change$`, 'm'),
    );
    expect(same.stderr).toContain(`[web/us-east-1] skipped: dependency ${api}: its outputs did not change`);
    repo.remove('deploy-trace.jsonl');

    // (2) An output's value changes: web deploys, and says which output.
    repo.write({ [`services/${api}/template.yml`]: apiTemplate({ delay: 5, version: '2' }) });
    repo.commit('version 2');
    const changed = await deploy(repo, ['--skip-e2e']);
    expect(changed.exitCode, changed.stderr).toBe(0);
    expect(statusOf(changed.summary)).toEqual({ [api]: 'deployed', web: 'deployed', worker: 'deployed' });
    expect(noteOf(changed.summary, 'web')).toBe(`outputs changed: ${api}: Version`);
    expect(started(repo).sort()).toEqual(['web', 'worker']);
  });

  it('(3) a dependent that also ships the service’s package deploys whatever the outputs; (5) --all deploys every one', async () => {
    const api = `outc${process.pid}`;
    const repo = outputsRepo(api);
    expect((await deploy(repo, ['--skip-e2e'])).exitCode).toBe(0);
    repo.write({ [`services/${api}/template.yml`]: apiTemplate({ delay: 3 }) });
    repo.commit('delay the queue');
    const plan = await repo.plan();
    const worker = plan.services.find((service) => service.name === 'worker');
    expect(worker?.conditionalOn).toBeUndefined();
    expect(worker?.reasons).toContainEqual({ kind: 'dependency', via: api });
    repo.remove('deploy-trace.jsonl');
    const forced = await deploy(repo, ['--all', '--skip-e2e']);
    expect(statusOf(forced.summary)).toEqual({ [api]: 'deployed', web: 'deployed', worker: 'deployed' });
    expect(started(repo).sort()).toEqual(['web', 'worker']);
  });
});

/** A resources-only Serverless service (osls) with an e2e suite, and a second service beside it. */
function testedRepo(): TestRepo {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\nnode_modules/\n.serverless/\ne2e-trace.jsonl\n',
    'services/assets/serverless.yml': `service: assets
provider:
  name: aws
  runtime: nodejs20.x
resources:
  Resources:
    Queue:
      Type: AWS::SQS::Queue
`,
    'services/assets/e2e/assets.e2e.mjs': '// the e2e suite: checks the queue\n',
  });
  repo.write({
    'services/assets/package.json': {
      name: 'assets',
      scripts: { 'test:e2e': `node ${FAKE_E2E} ${repo.dir}` },
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'));
  repo.commit();
  return repo;
}

const e2eRuns = (repo: TestRepo): number =>
  existsSync(join(repo.dir, 'e2e-trace.jsonl'))
    ? readFileSync(join(repo.dir, 'e2e-trace.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .filter((line) => line.includes('"start"')).length
    : 0;

describe('e2e runs only where something moved (osls on moto)', () => {
  it('(4) skips the e2e of an unchanged deploy, runs it when its tests change, and (5) --e2e-all runs it', async () => {
    const repo = testedRepo();
    const stage = `e2eskip${process.pid}`;
    const first = await deploy(repo, ['--stage', stage]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.summary?.e2e?.map((result) => result.status)).toEqual(['passed']);
    const passedAt = repo.git('rev-parse', 'HEAD').slice(0, 12);

    const again = await deploy(repo, ['--stage', stage, '--all']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(statusOf(again.summary)).toEqual({ assets: 'unchanged' });
    expect(again.summary?.e2e).toMatchObject([
      { status: 'skipped', detail: `nothing changed in the cloud since e2e passed at ${passedAt}` },
    ]);
    expect(e2eRuns(repo)).toBe(1);
    // The proof still stands for what is deployed: the next run with nothing changed skips it too.
    const record = JSON.parse(readFileSync(join(repo.dir, `.shipgraph/state/${stage}.json`), 'utf8')) as {
      services: { assets: { e2e: { status: string; carriedFrom?: string } } };
    };
    expect(record.services.assets.e2e).toMatchObject({
      status: 'passed',
      carriedFrom: repo.git('rev-parse', 'HEAD'),
    });

    // (5) --e2e-all runs it all the same.
    const all = await deploy(repo, ['--stage', stage, '--all', '--e2e-all']);
    expect(all.summary?.e2e?.map((result) => result.status)).toEqual(['passed']);
    expect(e2eRuns(repo)).toBe(2);

    // A change to its tests: the deploy changes nothing, and the tests run.
    repo.write({
      'services/assets/e2e/assets.e2e.mjs': '// the e2e suite: checks the queue, and its name\n',
    });
    repo.commit('a test more');
    const tests = await deploy(repo, ['--stage', stage, '--all']);
    expect(statusOf(tests.summary)).toEqual({ assets: 'unchanged' });
    expect(tests.summary?.e2e?.map((result) => result.status)).toEqual(['passed']);
    expect(e2eRuns(repo)).toBe(3);
  });
});
