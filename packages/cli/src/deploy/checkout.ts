// Deploys ship the files of the checkout: they must be the planned commit's, as committed, but for the
// files the config lets the build edit on purpose.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitSha, RepoPath, ServiceRecord } from '@shipgraph/core';
import picomatch from 'picomatch';
import type { Checkout } from '../planning/checkout.js';
import { CliError } from '../errors.js';

/** How the checkout stands against the planned head. */
export interface CheckoutState {
  /** How it differs (another commit, tracked files changed); null when it is the commit as committed. */
  difference: string | null;
  /** Files the build edited as `checkout.buildMayEdit` allows, with what they hold now. */
  edited: NonNullable<ServiceRecord['edited']>;
}

/**
 * Checked out at another commit, or tracked files changed (untracked build output is fine, so is the
 * state directory the file backend writes, and so are the files the config lets the build edit).
 */
export async function checkoutState(checkout: Checkout): Promise<CheckoutState> {
  const at = await checkout.repo.resolveCommit('HEAD');
  if (at !== checkout.head)
    return {
      difference: `the checkout is at ${short(at)}, not at the planned ${short(checkout.head)}`,
      edited: [],
    };
  const stateDir =
    checkout.config.state.backend === 'file' ? `${checkout.config.state.dir.replace(/\/+$/, '')}/` : null;
  const changed = (await checkout.repo.trackedChanges()).filter(
    (path) => !path.startsWith('.shipgraph/') && (stateDir === null || !path.startsWith(stateDir)),
  );
  const globs = checkout.config.buildMayEdit;
  const mayEdit = (path: RepoPath): boolean =>
    globs.length > 0 && picomatch.isMatch(path, globs, { dot: true });
  const others = changed.filter((path) => !mayEdit(path));
  const edited = await Promise.all(
    changed.filter((path) => mayEdit(path)).map((path) => editedFile(checkout.repo.root, path)),
  );
  if (others.length === 0) return { difference: null, edited };
  const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '');
  const files = `${others.length} tracked file${others.length === 1 ? '' : 's'}`;
  return {
    difference: `${files} differ${others.length === 1 ? 's' : ''} from ${short(checkout.head)}: ${shown}`,
    edited,
  };
}

/** Refuses a deploy from a checkout that is not the planned commit, unless --allow-dirty. */
export async function checkDeployable(checkout: Checkout, allowDirty: boolean): Promise<CheckoutState> {
  const state = await checkoutState(checkout);
  const difference = state.difference;
  if (difference !== null && !allowDirty) {
    const moved = difference.startsWith('the checkout is at');
    throw new CliError(moved ? 'E_CHECKOUT_MISMATCH' : 'E_DIRTY_CHECKOUT', `cannot deploy: ${difference}`, {
      hint: moved
        ? `check out ${short(checkout.head)} (or plan the checked-out commit), or pass --allow-dirty to deploy the checkout as it is, recorded as dirty`
        : 'commit or stash the changes, list files the build edits on purpose in checkout.buildMayEdit, or pass --allow-dirty to deploy them, recorded as dirty (deployed again next time)',
    });
  }
  return state;
}

/** A file as the build left it (deleted: no content, an empty hash). */
async function editedFile(root: string, path: RepoPath): Promise<{ path: RepoPath; sha256: string }> {
  const content = await readFile(join(root, path)).catch(() => null);
  return { path, sha256: content === null ? '' : createHash('sha256').update(content).digest('hex') };
}

const short = (commit: CommitSha): string => commit.slice(0, 12);
