// Rollout through CodeDeploy: a deployment per function moves its alias as the deployment group (or
// `config`) says; the group's alarms and automatic rollback are CodeDeploy's, shipgraph waits for the end.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageAccess } from '../../aws/access.js';
import type { CodeDeployRolloutConfig } from '../../config/config.js';
import { CliError } from '../../errors.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import { DeployFailure, type DeployContext } from '../contract.js';
import { pointAlias, readAlias, type AliasMove, type AliasState } from './alias.js';

// A Lambda deployment takes minutes; its status read every 5 s notices the end soon enough.
const DEFAULT_POLL_SECONDS = 5;
const ENDED = new Set(['Succeeded', 'Failed', 'Stopped']);
// How long an interrupted run waits for CodeDeploy to roll back before it exits all the same.
const ROLLBACK_WAIT_MS = 5 * 60_000;

interface DeploymentGroup {
  application: string;
  deploymentGroup: string;
  config: string | undefined;
  region: string;
  access: StageAccess;
}

export async function rollOutWithCodeDeploy(
  moves: readonly AliasMove[],
  config: CodeDeployRolloutConfig,
  context: DeployContext,
): Promise<void> {
  const fill = (name: string) => fillPlaceholders(name, context.stage, context.region);
  const group: DeploymentGroup = {
    application: fill(config.codeDeploy.application),
    deploymentGroup: fill(config.codeDeploy.deploymentGroup),
    config: config.codeDeploy.config === undefined ? undefined : fill(config.codeDeploy.config),
    region: context.region,
    access: context.access,
  };
  await checkDeploymentGroup(group);
  const pollMs = (config.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
  const done: AliasMove[] = [];
  try {
    // A Lambda deployment moves one function, and a group runs one deployment at a time.
    for (const move of moves) {
      if (context.signal.aborted) throw interrupted();
      await deployThroughCodeDeploy(group, move, pollMs, context);
      // The description keeps the version before, for `shipgraph rollback`; CodeDeploy leaves it.
      await pointAlias(move.target, { version: move.to, previous: move.from.version });
      done.push(move);
      context.log(`rollout: ${move.target.function}:${move.target.alias} on version ${move.to}`);
    }
  } catch (error) {
    // All of a service's aliases move or none: those CodeDeploy already moved go back too.
    for (const move of done) {
      await pointAlias(move.target, { version: move.from.version, previous: move.from.previous });
      context.log(
        `rolled back: ${move.target.function}:${move.target.alias} on version ${move.from.version} again`,
      );
    }
    throw error;
  }
}

/** Creates the deployment and waits for its end; throws unless it succeeded. */
async function deployThroughCodeDeploy(
  group: DeploymentGroup,
  move: AliasMove,
  pollMs: number,
  context: DeployContext,
): Promise<void> {
  const sdk = await import('@aws-sdk/client-codedeploy');
  const client = await group.access.codeDeploy(group.region);
  const created = await client.send(
    new sdk.CreateDeploymentCommand({
      applicationName: group.application,
      deploymentGroupName: group.deploymentGroup,
      ...(group.config !== undefined && { deploymentConfigName: group.config }),
      description: `shipgraph: ${context.service} at ${context.commit}`,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: lambdaAppSpec(move) } },
    }),
  );
  const id = created.deploymentId ?? '?';
  const { function: name, alias } = move.target;
  context.log(
    `rollout: CodeDeploy deployment ${id} moves ${name}:${alias} from version ${move.from.version} to ${move.to}`,
  );
  let seen = '';
  let ended = false;
  try {
    for (;;) {
      const found = await client.send(new sdk.GetDeploymentCommand({ deploymentId: id }));
      const status = found.deploymentInfo?.status ?? '?';
      if (status !== seen) context.log(`rollout: CodeDeploy deployment ${id} ${status}`);
      seen = status;
      ended = ENDED.has(status);
      if (status === 'Succeeded') return;
      if (ended) {
        const why = found.deploymentInfo?.errorInformation?.message ?? 'no reason given';
        throw new DeployFailure(
          `CodeDeploy deployment ${id} ${status}: ${why}; ${await servedBy(move)}`,
          false,
        );
      }
      await sleep(pollMs, undefined, { signal: context.signal }).catch(() => undefined);
      if (context.signal.aborted) {
        ended = true;
        if (!(await stopDeployment(id, group, context)))
          throw new DeployFailure(
            `rollout interrupted: CodeDeploy deployment ${id} could not be stopped`,
            false,
          );
        const rollback = await rolledBack(id, group, pollMs, context);
        throw new DeployFailure(
          `rollout interrupted: CodeDeploy deployment ${id} stopped and ${rollback}; ${await servedBy(move)}`,
          false,
        );
      }
    }
  } catch (error) {
    // Left running, the deployment would go on moving traffic after shipgraph has given up on it.
    if (!ended) await stopDeployment(id, group, context);
    throw error;
  }
}

/** The AppSpec of a Lambda deployment: the alias moves from the version it serves to the new one. */
function lambdaAppSpec(move: AliasMove): string {
  const properties = {
    Name: move.target.function,
    Alias: move.target.alias,
    CurrentVersion: move.from.version,
    TargetVersion: move.to,
  };
  return JSON.stringify({
    version: '0.0',
    Resources: [{ [move.target.function]: { Type: 'AWS::Lambda::Function', Properties: properties } }],
  });
}

const interrupted = (): DeployFailure =>
  new DeployFailure('rollout interrupted: rolled back to the version before', false);

/** Stops the deployment, CodeDeploy rolling back what it moved; false when it could not be stopped. */
async function stopDeployment(id: string, group: DeploymentGroup, context: DeployContext): Promise<boolean> {
  const { StopDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  try {
    const stopped = await (
      await group.access.codeDeploy(group.region)
    ).send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    context.log(`rollout: CodeDeploy deployment ${id} stopped, with rollback (${stopped.status ?? '?'})`);
    return true;
  } catch (error) {
    context.log(`rollout: could not stop CodeDeploy deployment ${id} (${describe(error)})`);
    return false;
  }
}

/**
 * Waits, a few minutes at most, until CodeDeploy has stopped the deployment and its rollback
 * deployment has ended: the traffic is back where it was before shipgraph gives up the run. Says how
 * it went (`rolled back (d-2 Succeeded)`).
 */
async function rolledBack(
  id: string,
  group: DeploymentGroup,
  pollMs: number,
  context: DeployContext,
): Promise<string> {
  const { GetDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  const client = await group.access.codeDeploy(group.region);
  const until = Date.now() + ROLLBACK_WAIT_MS;
  const ended = async (deploymentId: string) => {
    for (;;) {
      const { deploymentInfo } = await client.send(new GetDeploymentCommand({ deploymentId }));
      const status = deploymentInfo?.status ?? '?';
      if (ENDED.has(status) || Date.now() >= until) return { status, info: deploymentInfo };
      // The run is already interrupted: this wait is what it does on its way out, so no signal ends it.
      await sleep(pollMs);
    }
  };
  try {
    const stopped = await ended(id);
    const rollbackId = stopped.info?.rollbackInfo?.rollbackDeploymentId;
    if (rollbackId === undefined) return `not rolled back (${stopped.status}, no rollback deployment)`;
    context.log(`rollout: CodeDeploy rolls back with deployment ${rollbackId}; waiting for it`);
    const rollback = await ended(rollbackId);
    if (!ENDED.has(rollback.status))
      return `still rolling back after ${ROLLBACK_WAIT_MS / 60_000} minutes (${rollbackId} ${rollback.status})`;
    return `rolled back (${rollbackId} ${rollback.status})`;
  } catch (error) {
    return `its rollback could not be followed (${describe(error)})`;
  }
}

/** What the alias serves now: CodeDeploy has moved it back if the group rolls back. */
async function servedBy(move: AliasMove): Promise<string> {
  const name = `${move.target.function}:${move.target.alias}`;
  let alias: AliasState | null;
  try {
    alias = await readAlias(move.target);
  } catch (error) {
    return `${name} could not be read (${describe(error)})`;
  }
  if (alias === null) return `${name} no longer exists`;
  const shares = Object.entries(alias.weights).map(
    ([version, weight]) => `, ${Math.round(weight * 1000) / 10}% to version ${version}`,
  );
  return `${name} serves version ${alias.version}${shares.join('')}`;
}

/** A misspelt application or group would fail the first deployment: refuse before any traffic moves. */
async function checkDeploymentGroup(group: DeploymentGroup): Promise<void> {
  const sdk = await import('@aws-sdk/client-codedeploy');
  const request = { applicationName: group.application, deploymentGroupName: group.deploymentGroup };
  try {
    await (await group.access.codeDeploy(group.region)).send(new sdk.GetDeploymentGroupCommand(request));
  } catch (error) {
    if (
      error instanceof sdk.ApplicationDoesNotExistException ||
      error instanceof sdk.DeploymentGroupDoesNotExistException
    ) {
      throw new CliError(
        'E_DEPLOYER',
        `CodeDeploy deployment group ${group.deploymentGroup} of application ${group.application} does not exist in ${group.region}`,
        {
          hint: 'check deployer.rollout.codeDeploy (application and deploymentGroup, with {stage} and {region} filled in)',
          cause: error,
        },
      );
    }
    throw error;
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
