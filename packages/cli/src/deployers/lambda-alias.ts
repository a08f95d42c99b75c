// A function's alias as the lambda deployer moves it: which version it serves, with what share, and
// the version before (kept in the alias's description, so a rollback reads it from Lambda itself).
import { lambda } from '../aws/lambda.js';

export interface AliasTarget {
  function: string;
  alias: string;
  region: string;
}

export interface AliasState {
  version: string;
  /** The version shipgraph moved the alias from, or null (created by hand, or first deploy). */
  previous: string | null;
  /** Versions getting part of the traffic besides `version` (a rollout under way): version → weight. */
  weights: Record<string, number>;
}

const PREVIOUS = /shipgraph: previous version (\d+)/;

/** The alias as it is, or null when the function has none of that name yet. */
export async function readAlias(target: AliasTarget): Promise<AliasState | null> {
  const { GetAliasCommand, ResourceNotFoundException } = await import('@aws-sdk/client-lambda');
  try {
    const found = await (
      await lambda(target.region)
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
  const client = await lambda(target.region);
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
    await lambda(target.region)
  ).send(new GetFunctionConfigurationCommand({ FunctionName: target.function, Qualifier: version }));
  return {
    sha256: found.CodeSha256 ?? null,
    layers: (found.Layers ?? []).flatMap((layer) => (layer.Arn === undefined ? [] : [layer.Arn])),
  };
}
