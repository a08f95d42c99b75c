// Whether a Serverless deploy changed anything, as CloudFormation saw it (osls on moto, through change
// sets, osls's default): a deploy that moved nothing is `unchanged`, whatever words osls used for it.
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deploy, statusOf, type SummaryJson } from './helpers/deploys.js';
import { tempRepo } from './helpers/repo.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A resources-only service, as a static site's bucket or a shared queue is kept: no functions to package. */
const serverlessYml = (more = '') => `service: assets
provider:
  name: aws
  runtime: nodejs20.x
resources:
  Resources:
    Queue:
      Type: AWS::SQS::Queue${more}
  Outputs:
    QueueUrl:
      Value: !Ref Queue
`;

function assetsRepo() {
  const repo = tempRepo({
    'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
    '.gitignore': '.shipgraph/\nnode_modules/\n.serverless/\n',
    'services/assets/package.json': { name: 'assets' },
    'services/assets/serverless.yml': serverlessYml(),
  });
  // Installed as a clone would be: the Serverless Framework (osls) from this project's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'));
  repo.commit();
  return repo;
}

const changedOf = (summary: SummaryJson | null) => summary?.results[0]?.changed;

describe('a Serverless deploy that changes nothing (osls on moto, change sets)', () => {
  it('is unchanged when CloudFormation did not move, and deployed when it did', async () => {
    const repo = assetsRepo();
    const stage = `noop${process.pid}`;
    const first = await deploy(repo, ['--stage', stage, '--skip-e2e']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(statusOf(first.summary)).toEqual({ assets: 'deployed' });
    expect(changedOf(first.summary)).toBe(true);

    // Deployed again as it is: osls finds its files changed, makes a change set, and CloudFormation
    // finds nothing in it.
    const again = await deploy(repo, ['--stage', stage, '--all', '--skip-e2e']);
    expect(again.exitCode, again.stderr).toBe(0);
    const log = readFileSync(join(repo.dir, `.shipgraph/logs/${stage}/assets.us-east-1.log`), 'utf8');
    expect(log).toContain('Change set did not include any changes to be deployed.');
    expect(statusOf(again.summary)).toEqual({ assets: 'unchanged' });
    expect(changedOf(again.summary)).toBe(false);
    const state = JSON.parse(readFileSync(join(repo.dir, `.shipgraph/state/${stage}.json`), 'utf8')) as {
      services: Record<string, { changed: boolean | null }>;
    };
    expect(state.services.assets?.changed).toBe(false);

    // A real change to the stack is a deploy that changed something, through a change set too.
    repo.write({
      'services/assets/serverless.yml': serverlessYml('\n    DeadLetters:\n      Type: AWS::SQS::Queue'),
    });
    repo.commit('a queue for dead letters');
    const changed = await deploy(repo, ['--stage', stage, '--skip-e2e']);
    expect(changed.exitCode, changed.stderr).toBe(0);
    expect(statusOf(changed.summary)).toEqual({ assets: 'deployed' });
    expect(changedOf(changed.summary)).toBe(true);
  });
});
