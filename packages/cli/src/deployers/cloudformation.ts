// Deploys a service's CloudFormation template with the AWS SDK: create or update, wait, read outputs.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Capability, Parameter } from '@aws-sdk/client-cloudformation';
import { deleteStack, isMissingStack, stackOutputs } from '../aws/cloudformation.js';
import type { CloudFormationDeployerConfig } from '../config/config.js';
import { fillPlaceholders } from '../stacks/stack-name.js';
import { NotStarted, startUnlessInterrupted } from '../process/interrupts.js';
import {
  DeployFailure,
  looksTransient,
  type DeployContext,
  type DeployOutcome,
  type Deployer,
  type Packaging,
} from './contract.js';
import { CliError } from '../errors.js';

const TEMPLATES = ['template.yml', 'template.yaml', 'template.json'];

export class CloudFormationDeployer implements Deployer {
  constructor(private readonly config: CloudFormationDeployerConfig) {}

  async deploy(context: DeployContext): Promise<DeployOutcome> {
    return this.deployTemplate(context, (await this.template(context.dir)).body);
  }

  // The template is the whole package: the stage and region come in as parameters when it deploys.
  readonly packaging: Packaging = {
    stageBound: false,
    package: async (context, dir) => {
      const { file, body } = await this.template(context.dir);
      await writeFile(join(dir, basename(file)), body);
    },
    deployPackage: async (context, dir) => {
      const [file] = (await readdir(dir)).filter((name) => /\.(ya?ml|json)$/.test(name));
      if (file === undefined)
        throw new CliError('E_ARTIFACT', `no template in the package of ${context.service}`);
      return this.deployTemplate(context, await readFile(join(dir, file), 'utf8'));
    },
  };

  private async deployTemplate(context: DeployContext, TemplateBody: string): Promise<DeployOutcome> {
    const sdk = await import('@aws-sdk/client-cloudformation');
    const client = await context.access.cloudFormation(context.region);
    const stackName = context.stackName;
    if (stackName === null) throw new Error('the cloudformation deployer always has a stack name');
    const Parameters: Parameter[] = Object.entries(this.config.parameters ?? {}).map(([key, value]) => ({
      ParameterKey: key,
      ParameterValue: resolveValue(value, context),
    }));
    const request = {
      StackName: stackName,
      TemplateBody,
      Parameters,
      Capabilities: (this.config.capabilities ?? []) as Capability[],
      Tags: [{ Key: 'shipgraph:commit', Value: context.commit }],
      // The SDK retries a call whose answer was lost: with the token it is the same call, not a second
      // create that CloudFormation refuses (AlreadyExistsException) while the first one goes on.
      ClientRequestToken: context.requestToken,
    };
    const waiterOptions = { client, maxWaitTime: 3600, minDelay: 1, maxDelay: 15 };

    try {
      const status = await client.send(new sdk.DescribeStacksCommand({ StackName: stackName })).then(
        ({ Stacks }) => Stacks?.[0]?.StackStatus ?? null,
        (error: unknown) => {
          if (isMissingStack(error)) return null;
          throw error;
        },
      );
      startUnlessInterrupted(context.signal);
      if (status?.endsWith('_IN_PROGRESS') === true && (await this.startedByThisStep(context, stackName))) {
        // An earlier try of this deploy got its call through and gave up on the answer: it is this one.
        context.log(`stack ${stackName} is ${status} from this deploy's earlier try: waiting for it`);
        const waitUntil = status.startsWith('CREATE')
          ? sdk.waitUntilStackCreateComplete
          : sdk.waitUntilStackUpdateComplete;
        await waitUntil(waiterOptions, { StackName: stackName });
      } else if (status !== null) {
        context.log(`updating stack ${stackName} in ${context.region}`);
        try {
          await client.send(new sdk.UpdateStackCommand(request));
        } catch (error) {
          if (error instanceof Error && /No updates are to be performed/.test(error.message)) {
            context.log(`stack ${stackName}: no updates are to be performed`);
            return {
              outputs: (await stackOutputs(context.access, context.region, stackName)) ?? {},
              changed: false,
            };
          }
          throw error;
        }
        await sdk.waitUntilStackUpdateComplete(waiterOptions, { StackName: stackName });
      } else {
        context.log(`creating stack ${stackName} in ${context.region}`);
        await client.send(new sdk.CreateStackCommand(request));
        await sdk.waitUntilStackCreateComplete(waiterOptions, { StackName: stackName });
      }
    } catch (error) {
      if (error instanceof NotStarted) throw error;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      context.log(message);
      throw new DeployFailure(`stack ${stackName} failed: ${message}`, looksTransient(message));
    }
    context.log(`stack ${stackName}: deployed`);
    return { outputs: (await stackOutputs(context.access, context.region, stackName)) ?? {}, changed: true };
  }

  /** Whether the stack's newest event comes from a call of this deploy step, in this run. */
  private async startedByThisStep(context: DeployContext, stackName: string): Promise<boolean> {
    const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
    const client = await context.access.cloudFormation(context.region);
    const { StackEvents } = await client.send(new DescribeStackEventsCommand({ StackName: stackName }));
    const token = StackEvents?.[0]?.ClientRequestToken;
    const step = (of: string): string => of.slice(0, of.lastIndexOf('-'));
    return token !== undefined && step(token) === step(context.requestToken);
  }

  async remove(context: DeployContext): Promise<void> {
    const stackName = context.stackName;
    if (stackName === null) return;
    await deleteStack(context.access, context.region, stackName, context.log);
  }

  private async template(dir: string): Promise<{ file: string; body: string }> {
    const candidates = this.config.template === undefined ? TEMPLATES : [this.config.template];
    for (const file of candidates) {
      try {
        return { file, body: await readFile(join(dir, file), 'utf8') };
      } catch {
        // try the next name
      }
    }
    throw new CliError('E_DEPLOYER', `no CloudFormation template (${candidates.join(', ')}) in ${dir}`, {
      hint: 'add one, or set services.<name>.deployer.template in shipgraph.config.json',
    });
  }
}

/** `{stage}`, `{region}` and `{output:<service>:<OutputKey>}` in a configured parameter value. */
function resolveValue(value: string, context: DeployContext): string {
  return fillPlaceholders(value, context.stage, context.region).replace(
    /\{output:([^:}]+):([^}]+)\}/g,
    (_whole, service: string, key: string) => {
      const found = context.dependencyOutputs[service]?.[key];
      if (found === undefined) {
        throw new CliError(
          'E_DEPLOYER',
          `parameter value needs output ${key} of ${service}, which has none`,
          {
            hint: `make ${context.service} depend on ${service} and check the output name`,
          },
        );
      }
      return found;
    },
  );
}
