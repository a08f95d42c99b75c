// Moving aliases to newly published versions: created where there was none, shifted gradually where
// a rollout is configured, moved at once otherwise. Shared by the deployers that publish versions.
import type { RolloutConfig } from '../../config/config.js';
import type { DeployContext } from '../contract.js';
import { pointAlias, type AliasMove, type AliasState, type AliasTarget } from './alias.js';
import { rollOut } from './rollout.js';

/** A function's alias as it was before the deploy, and the version the deploy published. */
export interface Published {
  target: AliasTarget;
  from: AliasState | null;
  version: string;
}

/** Points every alias at its published version; returns how many aliases changed. */
export async function moveAliases(
  published: readonly Published[],
  rollout: RolloutConfig | undefined,
  context: DeployContext,
): Promise<number> {
  const moves: AliasMove[] = [];
  let changed = 0;
  for (const { target, from, version } of published) {
    const name = `${target.function}:${target.alias}`;
    if (from === null) {
      // Nothing served before: there is no traffic to shift, and nothing to roll back to.
      await pointAlias(target, { version, previous: null }, false);
      context.log(`${name} created on version ${version}`);
      changed += 1;
    } else if (from.version !== version) {
      moves.push({ target, from, to: version });
    } else if (Object.keys(from.weights).length > 0) {
      // A rollout cut short (the process killed) left weights on another version: clear them.
      await pointAlias(target, { version, previous: from.previous });
      context.log(`${name} on version ${version}, the interrupted rollout's weights cleared`);
      changed += 1;
    }
  }
  if (moves.length === 0) return changed;
  if (rollout !== undefined) {
    for (const move of moves) {
      context.log(
        `${move.target.function}: version ${move.to} published (alias ${move.target.alias} on ${move.from.version})`,
      );
    }
    await rollOut(moves, rollout, context);
  } else {
    for (const { target, from, to } of moves) {
      await pointAlias(target, { version: to, previous: from.version });
      context.log(`${target.function}: alias ${target.alias} moved from version ${from.version} to ${to}`);
    }
  }
  return changed + moves.length;
}
