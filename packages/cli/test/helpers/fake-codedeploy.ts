// A local CodeDeploy endpoint (JSON protocol) for Lambda deployments, moving aliases in moto as
// CodeDeploy would; moto keeps its deployments "Created" forever and has no StopDeployment.
import { LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { onTestFinished } from 'vitest';

/** What the deployments do: shift and succeed, fail (the group rolled back), or run until stopped. */
export type Outcome = 'succeed' | 'fail' | 'run until stopped';

export interface CodeDeployRequest {
  operation: string;
  body: Record<string, unknown>;
}

export interface FakeCodeDeploy {
  /** For AWS_ENDPOINT_URL_CODEDEPLOY. */
  url: string;
  requests: CodeDeployRequest[];
  /** The requests of one operation, in order. */
  sent(operation: string): Record<string, unknown>[];
}

interface AppSpecFunction {
  Name: string;
  Alias: string;
  CurrentVersion: string;
  TargetVersion: string;
}

interface Deployment {
  fn: AppSpecFunction;
  status: string;
  polls: number;
  /** The deployment CodeDeploy started to roll this one back, when it was stopped with rollback. */
  rolledBackBy?: string;
  /** Set on a rollback deployment: it moves on its own time, not by being polled. */
  rollback?: true;
}

/** How long CodeDeploy takes to roll a stopped deployment back: shipgraph must wait that out. */
export const ROLLBACK_MS = 1500;

export const FAILURE_MESSAGE =
  'The deployment failed because one or more alarms have been activated: api-errors';

const TARGET_PREFIX = 'CodeDeploy_20141006.';

/**
 * Starts the endpoint, closed when the test ends. `groups` are the deployment groups that exist, as
 * `application/group`; GetDeployment answers InProgress (10% on the new version) and then the outcome,
 * the same for every function or by function name.
 */
export async function fakeCodeDeploy(
  groups: string[],
  outcomeOf: Outcome | ((functionName: string) => Outcome),
): Promise<FakeCodeDeploy> {
  const lambda = new LambdaClient({});
  const requests: CodeDeployRequest[] = [];
  const deployments = new Map<string, Deployment>();
  const route = (fn: AppSpecFunction, version: string, weights: Record<string, number> = {}) =>
    lambda.send(
      new UpdateAliasCommand({
        FunctionName: fn.Name,
        Name: fn.Alias,
        FunctionVersion: version,
        RoutingConfig: { AdditionalVersionWeights: weights },
      }),
    );

  const operations: Record<string, (body: Record<string, unknown>) => Promise<object>> = {
    GetDeploymentGroup: (body) => {
      const application = String(body.applicationName);
      if (!groups.some((group) => group.startsWith(`${application}/`))) {
        throw new Fault('ApplicationDoesNotExistException', `No application found for name: ${application}`);
      }
      if (!groups.includes(`${application}/${String(body.deploymentGroupName)}`)) {
        throw new Fault('DeploymentGroupDoesNotExistException', 'No Deployment Group found for name');
      }
      return Promise.resolve({
        deploymentGroupInfo: {
          applicationName: application,
          deploymentGroupName: body.deploymentGroupName,
          computePlatform: 'Lambda',
        },
      });
    },
    CreateDeployment: async (body) => {
      await operations.GetDeploymentGroup?.(body);
      const fn = appSpecFunction(body);
      const id = `d-FAKE${String(deployments.size + 1).padStart(5, '0')}`;
      deployments.set(id, { fn, status: 'Created', polls: 0 });
      return { deploymentId: id };
    },
    GetDeployment: async (body) => {
      const deployment = deploymentOf(body);
      deployment.polls++;
      const { fn } = deployment;
      const outcome = typeof outcomeOf === 'function' ? outcomeOf(fn.Name) : outcomeOf;
      if (deployment.rollback === true) {
        // Moves on its own (StopDeployment's timer), whoever polls it.
      } else if (deployment.status === 'Created') {
        await route(fn, fn.CurrentVersion, { [fn.TargetVersion]: 0.1 });
        deployment.status = 'InProgress';
      } else if (
        deployment.status === 'InProgress' &&
        deployment.polls >= 3 &&
        outcome !== 'run until stopped'
      ) {
        // Succeeded: all traffic on the target; failed: the group's rollback put it all back.
        await route(fn, outcome === 'succeed' ? fn.TargetVersion : fn.CurrentVersion);
        deployment.status = outcome === 'succeed' ? 'Succeeded' : 'Failed';
      }
      return {
        deploymentInfo: {
          deploymentId: String(body.deploymentId),
          status: deployment.status,
          ...(deployment.status === 'Failed' && {
            errorInformation: { code: 'ALARM_ACTIVE', message: FAILURE_MESSAGE },
          }),
          ...(deployment.rolledBackBy !== undefined && {
            rollbackInfo: {
              rollbackDeploymentId: deployment.rolledBackBy,
              rollbackMessage: `Deployment ${deployment.rolledBackBy} was created to roll back this deployment`,
            },
          }),
        },
      };
    },
    StopDeployment: (body) => {
      const deployment = deploymentOf(body);
      if (['Succeeded', 'Failed', 'Stopped'].includes(deployment.status)) {
        throw new Fault('DeploymentAlreadyCompletedException', 'The deployment is already complete');
      }
      deployment.status = 'Stopped';
      if (body.autoRollbackEnabled === true) {
        // As CodeDeploy does: a deployment of its own moves the traffic back, and takes its time.
        const id = `d-FAKE${String(deployments.size + 1).padStart(5, '0')}`;
        const rollback: Deployment = { fn: deployment.fn, status: 'InProgress', polls: 0, rollback: true };
        deployments.set(id, rollback);
        deployment.rolledBackBy = id;
        setTimeout(() => {
          void route(deployment.fn, deployment.fn.CurrentVersion).then(() => {
            rollback.status = 'Succeeded';
          });
        }, ROLLBACK_MS);
      }
      return Promise.resolve({ status: 'Pending', statusMessage: 'Stopping' });
    },
  };

  function deploymentOf(body: Record<string, unknown>): Deployment {
    const deployment = deployments.get(String(body.deploymentId));
    if (deployment === undefined) throw new Fault('DeploymentDoesNotExistException', 'No such deployment');
    return deployment;
  }

  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const operation =
        typeof target === 'string' && target.startsWith(TARGET_PREFIX)
          ? target.slice(TARGET_PREFIX.length)
          : '';
      const body = JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>;
      requests.push({ operation, body });
      const handle = operations[operation];
      if (handle === undefined) {
        reply(response, 400, {
          __type: 'UnknownOperationException',
          message: `not faked: ${String(target)}`,
        });
        return;
      }
      // A handler may throw before it returns its promise: a Fault either way.
      Promise.resolve()
        .then(() => handle(body))
        .then(
          (result) => {
            reply(response, 200, result);
          },
          (error: unknown) => {
            const fault = error instanceof Fault ? error : new Fault('InternalFailure', String(error));
            reply(response, fault.status, { __type: fault.type, message: fault.message });
          },
        );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => {
    server.close();
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    sent: (operation) =>
      requests.filter((request) => request.operation === operation).map((request) => request.body),
  };
}

class Fault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = type === 'InternalFailure' ? 500 : 400,
  ) {
    super(message);
  }
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
}

/** The one function of a Lambda AppSpec, as CodeDeploy checks it: anything else is an invalid revision. */
function appSpecFunction(body: Record<string, unknown>): AppSpecFunction {
  const revision = body.revision as
    { revisionType?: string; appSpecContent?: { content?: string } } | undefined;
  if (revision?.revisionType !== 'AppSpecContent' || typeof revision.appSpecContent?.content !== 'string') {
    throw new Fault('InvalidRevisionException', 'revisionType must be AppSpecContent, with content');
  }
  const spec = JSON.parse(revision.appSpecContent.content) as {
    version?: unknown;
    Resources?: Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>[];
  };
  const resources = spec.Resources ?? [];
  const [resource, ...others] = resources.flatMap((entry) => Object.values(entry));
  if (spec.version !== '0.0' || resources.length !== 1 || resource === undefined || others.length > 0) {
    throw new Fault('InvalidRevisionException', 'an AppSpec of version 0.0 with one resource');
  }
  const properties = resource.Properties ?? {};
  const names = ['Name', 'Alias', 'CurrentVersion', 'TargetVersion'];
  if (
    resource.Type !== 'AWS::Lambda::Function' ||
    names.some((name) => typeof properties[name] !== 'string')
  ) {
    throw new Fault('InvalidRevisionException', `an AWS::Lambda::Function with ${names.join(', ')}`);
  }
  if (!/^\d+$/.test(String(properties.CurrentVersion)) || !/^\d+$/.test(String(properties.TargetVersion))) {
    throw new Fault('InvalidRevisionException', 'CurrentVersion and TargetVersion must be positive integers');
  }
  return properties as unknown as AppSpecFunction;
}
