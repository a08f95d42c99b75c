// A Serverless service whose functions are invoked through an alias: the template is checked before
// the deploy (a rollout must be able to move all the traffic), then each function's new version is
// published and its alias moved, gradually when a rollout is configured.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerlessDeployerConfig } from '../../config/config.js';
import { CliError } from '../../errors.js';
import { startUnlessInterrupted } from '../../process/interrupts.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import { aliasBypasses, templateFunctions, type Template } from './alias-bypass.js';
import { moveAliases } from './alias-moves.js';
import type { DeployContext, DeployOutcome } from '../contract.js';
import { readAlias, type AliasTarget } from './alias.js';
import { publishVersion } from './code.js';

// What `serverless package` writes for a stack update (the create template only holds the bucket).
const TEMPLATE = 'cloudformation-template-update-stack.json';

export const aliasOf = (config: ServerlessDeployerConfig, context: DeployContext): string =>
  fillPlaceholders(config.alias ?? context.stage, context.stage, context.region);

/** Deploys the package in `dir` with `deploy`, moving the aliases of its functions around it. */
export async function deployThroughAliases(
  config: ServerlessDeployerConfig,
  context: DeployContext,
  dir: string,
  deploy: () => Promise<DeployOutcome>,
): Promise<DeployOutcome> {
  const alias = aliasOf(config, context);
  const template = await readTemplate(dir);
  const functions = templateFunctions(template);
  if (functions.length === 0) {
    throw new CliError('E_DEPLOYER', `${context.service} has no functions to move alias ${alias} on`, {
      hint: `leave alias and rollout out of services."${context.service}".deployer`,
    });
  }
  const bypassed = functions.flatMap((fn) => {
    const found = aliasBypasses(template, fn, alias);
    return found.length === 0 ? [] : [`${fn.name} by ${found.join(', ')}`];
  });
  if (bypassed.length > 0) {
    throw new CliError(
      'E_ROLLOUT_BYPASSED',
      `${context.service} invokes functions past alias ${alias}, so moving the alias would not move that traffic: ${bypassed.join('; ')}`,
      {
        hint: `point those events at the alias (e.g. \${<Function>LambdaFunction.Arn}:${alias}), or leave alias and rollout out of the deployer`,
      },
    );
  }
  const targets: AliasTarget[] = functions.map((fn) => ({
    function: fn.name,
    alias,
    region: context.region,
    access: context.access,
  }));
  const before = await Promise.all(targets.map((target) => readAlias(target)));
  const outcome = await deploy();
  startUnlessInterrupted(context.signal);
  // The Framework publishes a version per deploy (versionFunctions); PublishVersion returns that one,
  // as Lambda publishes nothing new for unchanged code and configuration (and publishes it otherwise).
  const published = await Promise.all(
    targets.map(async (target, index) => ({
      target,
      from: before[index] ?? null,
      version: await publishVersion(target),
    })),
  );
  const moved = await moveAliases(published, config.rollout, context);
  if (moved === 0) {
    for (const target of targets) context.log(`${target.function}:${alias} already serves the deployed code`);
  }
  return { outputs: outcome.outputs, changed: moved > 0 ? true : outcome.changed };
}

async function readTemplate(dir: string): Promise<Template> {
  try {
    return JSON.parse(await readFile(join(dir, TEMPLATE), 'utf8')) as Template;
  } catch (error) {
    throw new CliError('E_DEPLOYER', `cannot read ${TEMPLATE} in the package ${dir}: ${String(error)}`, {
      hint: 'package with the Serverless Framework (serverless package --package <dir>)',
    });
  }
}
