// A stack operation whose answer is lost: the SDK sends it again, and with its ClientRequestToken
// CloudFormation (and the emulator, patched to do as AWS does) takes it for the same call.
import { describe, expect, it, onTestFinished } from 'vitest';
import { stackExists } from './helpers/accounts.js';
import { deploy, statusOf } from './helpers/deploys.js';
import { lossyProxy } from './helpers/lossy-proxy.js';
import { tempRepo } from './helpers/repo.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
`;

describe('a stack operation retried after its answer was lost (moto)', () => {
  it('is the same call: the stack is created once and the deploy succeeds', async () => {
    const proxy = await lossyProxy(process.env.AWS_ENDPOINT_URL ?? '', (body) =>
      body.includes('Action=CreateStack'),
    );
    onTestFinished(proxy.close);
    const name = `lost${process.pid}`;
    const repo = tempRepo({
      'package.json': { name: 'root', private: true, workspaces: ['services/*'] },
      '.gitignore': '.shipgraph/\n',
      [`services/${name}/package.json`]: { name },
      [`services/${name}/template.yml`]: TEMPLATE,
      'shipgraph.config.json': { services: { [name]: { deployer: { type: 'cloudformation' } } } },
    });
    repo.commit();
    const run = await deploy(repo, ['--skip-e2e'], { AWS_ENDPOINT_URL_CLOUDFORMATION: proxy.url });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statusOf(run.summary)).toEqual({ [name]: 'deployed' });
    expect(await stackExists(`${name}-staging`)).toBe(true);
    // The create went out twice, with one token.
    const creates = proxy.bodies.filter((body) => body.includes('Action=CreateStack'));
    expect(creates).toHaveLength(2);
    const tokens = creates.map((body) => new URLSearchParams(body).get('ClientRequestToken'));
    expect(tokens[0]).toMatch(/^shipgraph-[0-9a-f]{8}-[0-9a-f]{16}-1$/);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
