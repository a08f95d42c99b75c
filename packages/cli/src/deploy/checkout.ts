// Deploys ship the files of the checkout: they must be the planned commit's, as committed.
import { type CommitSha } from '@shipgraph/core';
import type { Checkout } from '../planning/checkout.js';
import { CliError } from '../errors.js';

/**
 * How the checkout differs from the planned head: checked out at another commit, or tracked files
 * changed (untracked build output is fine). Null when it is the planned commit as committed. The
 * state directory is left out: the file backend writes there.
 */
export async function checkoutDifference(checkout: Checkout): Promise<string | null> {
  const at = await checkout.repo.resolveCommit('HEAD');
  if (at !== checkout.head)
    return `the checkout is at ${short(at)}, not at the planned ${short(checkout.head)}`;
  const stateDir =
    checkout.config.state.backend === 'file' ? `${checkout.config.state.dir.replace(/\/+$/, '')}/` : null;
  const changed = (await checkout.repo.trackedChanges()).filter(
    (path) => !path.startsWith('.shipgraph/') && (stateDir === null || !path.startsWith(stateDir)),
  );
  if (changed.length === 0) return null;
  const shown =
    changed.slice(0, 3).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
  return `${changed.length} tracked file${changed.length === 1 ? '' : 's'} differ${changed.length === 1 ? 's' : ''} from ${short(checkout.head)}: ${shown}`;
}

/** Refuses a deploy from a checkout that is not the planned commit, unless --allow-dirty. */
export async function checkDeployable(
  checkout: Checkout,
  allowDirty: boolean,
): Promise<{ dirty: string | null }> {
  const difference = await checkoutDifference(checkout);
  if (difference !== null && !allowDirty) {
    const moved = difference.startsWith('the checkout is at');
    throw new CliError(moved ? 'E_CHECKOUT_MISMATCH' : 'E_DIRTY_CHECKOUT', `cannot deploy: ${difference}`, {
      hint: moved
        ? `check out ${short(checkout.head)} (or plan the checked-out commit), or pass --allow-dirty to deploy the checkout as it is, recorded as dirty`
        : 'commit or stash the changes, or pass --allow-dirty to deploy them, recorded as dirty (deployed again next time)',
    });
  }
  return { dirty: difference };
}

const short = (commit: CommitSha): string => commit.slice(0, 12);
