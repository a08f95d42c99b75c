// Gradual rollout of a new version through its aliases' routing weights, watching CloudWatch alarms:
// an alarm, an error or a signal puts every alias back on the version it served before. A rollout
// configured with `codeDeploy` is handed to CodeDeploy instead (rollout-codedeploy.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { RolloutConfig, WeightsRolloutConfig } from '../../config/config.js';
import { CliError } from '../../errors.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import { DeployFailure, looksTransient, type DeployContext } from '../contract.js';
import { pointAlias, type AliasMove } from './alias.js';
import { rollOutWithCodeDeploy } from './rollout-codedeploy.js';

/** The new version's share at each step, in percent: canary one step, linear every `percent` below 100. */
export function rolloutSteps(config: WeightsRolloutConfig): number[] {
  if (config.type === 'canary') return [config.percent];
  const steps: number[] = [];
  for (let share = config.percent; share < 100; share += config.percent) steps.push(share);
  return steps;
}

export const stepMs = (config: WeightsRolloutConfig): number =>
  ((config.minutes ?? 0) * 60 + (config.seconds ?? 0)) * 1000;

// Alarms evaluate once a minute at best; a poll every 10 s notices one soon enough.
const DEFAULT_POLL_SECONDS = 10;

export async function rollOut(
  moves: readonly AliasMove[],
  config: RolloutConfig,
  context: DeployContext,
): Promise<void> {
  if ('codeDeploy' in config) return rollOutWithCodeDeploy(moves, config, context);
  const alarms = (config.alarms ?? []).map((name) => fillPlaceholders(name, context.stage, context.region));
  await checkAlarmsExist(alarms, context);
  const pollMs = (config.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
  try {
    for (const share of rolloutSteps(config)) {
      // Lambda takes weights as fractions; rounding keeps 0.1 + 0.2 from reading 0.30000000000000004.
      const weight = Math.round(share * 100) / 10_000;
      for (const move of moves) {
        await pointAlias(move.target, { ...move.from, weights: { [move.to]: weight } });
        context.log(
          `rollout: ${move.target.function}:${move.target.alias} sends ${share}% to version ${move.to}`,
        );
      }
      await bake(stepMs(config), pollMs, alarms, context);
    }
  } catch (error) {
    for (const move of moves) {
      await pointAlias(move.target, { version: move.from.version, previous: move.from.previous });
      context.log(
        `rolled back: ${move.target.function}:${move.target.alias} on version ${move.from.version} again`,
      );
    }
    if (error instanceof DeployFailure) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new DeployFailure(`rollout failed and was rolled back: ${message}`, looksTransient(message));
  }
  for (const move of moves) {
    await pointAlias(move.target, { version: move.to, previous: move.from.version });
    context.log(`rollout: ${move.target.function}:${move.target.alias} on version ${move.to}`);
  }
}

/** Waits out one step, polling the alarms; throws when one is in ALARM or the run is interrupted. */
async function bake(
  ms: number,
  pollMs: number,
  alarms: readonly string[],
  context: DeployContext,
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const firing = await alarmsFiring(alarms, context);
    if (firing.length > 0) {
      throw new DeployFailure(`alarm ${firing.join(', ')} in ALARM during the rollout: rolled back`, false);
    }
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(pollMs, left), undefined, { signal: context.signal }).catch(() => undefined);
    if (context.signal.aborted) {
      throw new DeployFailure('rollout interrupted: rolled back to the version before', false);
    }
  }
}

async function describeAlarms(alarms: readonly string[], context: DeployContext) {
  const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const client = await context.access.cloudWatch(context.region);
  const found = await client.send(new DescribeAlarmsCommand({ AlarmNames: [...alarms] }));
  return [...(found.MetricAlarms ?? []), ...(found.CompositeAlarms ?? [])];
}

async function alarmsFiring(alarms: readonly string[], context: DeployContext): Promise<string[]> {
  if (alarms.length === 0) return [];
  return (await describeAlarms(alarms, context))
    .filter((alarm) => alarm.StateValue === 'ALARM')
    .map((alarm) => alarm.AlarmName ?? '?');
}

/** A misspelt alarm would watch nothing: refuse to shift traffic under it. */
async function checkAlarmsExist(alarms: readonly string[], context: DeployContext): Promise<void> {
  if (alarms.length === 0) return;
  const region = context.region;
  const found = new Set((await describeAlarms(alarms, context)).map((alarm) => alarm.AlarmName));
  const missing = alarms.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new CliError('E_DEPLOYER', `rollout alarm ${missing.join(', ')} does not exist in ${region}`, {
      hint: 'check deployer.rollout.alarms (names, with {stage} and {region} filled in)',
    });
  }
}
