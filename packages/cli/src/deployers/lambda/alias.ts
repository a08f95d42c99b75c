// A function's alias as the lambda deployer moves it: which version it serves, with what share, and
// the version before (kept in the alias's description, so a rollback reads it from Lambda itself).
import type { StageAccess } from '../../aws/access.js';
import { CliError } from '../../errors.js';
import { startUnlessInterrupted } from '../../process/interrupts.js';
import type { DeployContext } from '../contract.js';

export interface AliasTarget {
  function: string;
  alias: string;
  region: string;
  /** Whose credentials reach the function: the stage's. */
  access: StageAccess;
}

export interface AliasState {
  version: string;
  /** The version shipgraph moved the alias from, or null (created by hand, or first deploy). */
  previous: string | null;
  /** Versions getting part of the traffic besides `version` (a rollout under way): version → weight. */
  weights: Record<string, number>;
}

/** One alias moving from the version it serves to the new one. */
export interface AliasMove {
  target: AliasTarget;
  from: AliasState;
  to: string;
}

const PREVIOUS = /shipgraph: previous version (\d+)/;

/** The alias as it is, or null when the function has none of that name yet. */
export async function readAlias(target: AliasTarget): Promise<AliasState | null> {
  const { GetAliasCommand, ResourceNotFoundException } = await import('@aws-sdk/client-lambda');
  try {
    const found = await (
      await target.access.lambda(target.region)
    ).send(new GetAliasCommand({ FunctionName: target.function, Name: target.alias }));
    return {
      version: found.FunctionVersion ?? '$LATEST',
      previous: PREVIOUS.exec(found.Description ?? '')?.[1] ?? null,
      weights: found.RoutingConfig?.AdditionalVersionWeights ?? {},
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw error;
  }
}

/**
 * Points the alias at `version` (creating it if `exists` is false), with `weights` of the traffic on
 * other versions, and records `previous` for a rollback.
 */
export async function pointAlias(
  target: AliasTarget,
  to: { version: string; previous: string | null; weights?: Record<string, number> },
  exists = true,
): Promise<void> {
  const sdk = await import('@aws-sdk/client-lambda');
  const request = {
    FunctionName: target.function,
    Name: target.alias,
    FunctionVersion: to.version,
    Description: to.previous === null ? 'shipgraph' : `shipgraph: previous version ${to.previous}`,
    // An empty map clears a rollout's routing; UpdateAlias without RoutingConfig would keep it.
    RoutingConfig: { AdditionalVersionWeights: to.weights ?? {} },
  };
  const client = await target.access.lambda(target.region);
  if (exists) await client.send(new sdk.UpdateAliasCommand(request));
  else await client.send(new sdk.CreateAliasCommand(request));
}

/** The code (its CodeSha256) and layer version ARNs of a version of the function (`$LATEST` included). */
export async function deployedCode(
  target: AliasTarget,
  version: string,
): Promise<{ sha256: string | null; layers: string[] }> {
  const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
  const found = await (
    await target.access.lambda(target.region)
  ).send(new GetFunctionConfigurationCommand({ FunctionName: target.function, Qualifier: version }));
  return {
    sha256: found.CodeSha256 ?? null,
    layers: (found.Layers ?? []).flatMap((layer) => (layer.Arn === undefined ? [] : [layer.Arn])),
  };
}

/** Moves each alias back to the version it served before the last move; one line per alias moved. */
export async function rollBackAliases(
  targets: readonly AliasTarget[],
  context: Pick<DeployContext, 'log' | 'signal'>,
): Promise<string[]> {
  const found = await Promise.all(targets.map((target) => readAlias(target)));
  // Checked for every function first: a rollback moves all of them or none.
  const back = targets.map((target, index) => {
    const alias = found[index] ?? null;
    if (alias?.previous == null) {
      throw new CliError(
        'E_ROLLBACK',
        `${target.function}:${target.alias} has no previous version to go back to`,
        {
          hint: 'no move by shipgraph is recorded on the alias (it was just created, or made by hand): deploy an earlier commit instead',
        },
      );
    }
    return { target, alias, previous: alias.previous };
  });
  const lines: string[] = [];
  for (const { target, alias, previous } of back) {
    startUnlessInterrupted(context.signal);
    // The version rolled back from becomes the previous one: a second rollback goes forward again.
    await pointAlias(target, { version: previous, previous: alias.version });
    lines.push(`${target.function}:${target.alias} version ${alias.version} → ${previous}`);
    context.log(lines.at(-1) ?? '');
  }
  return lines;
}
