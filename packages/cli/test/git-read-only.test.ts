// shipgraph only reads the repository: its git calls never take .git/index.lock to refresh the index
// (as `git status` does), so a commit made while a plan or deploy runs never fails on that lock.
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';

describe('git, read only', () => {
  it('a deploy leaves the index as it found it, stale stat data and all', async () => {
    const repo = commandRepo({ orders: [] });
    repo.commit();
    // The file is as committed, but its modification time is not what the index recorded: a `git
    // status` that may refresh the index takes index.lock and writes the index again.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(repo.dir, 'services/orders/src/index.js'), later, later);
    const index = readFileSync(join(repo.dir, '.git/index'));
    const run = await deploy(repo, ['--skip-e2e']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(repo.dir, '.git/index')).equals(index)).toBe(true);
    // What git itself does without the option, so the check above can tell the two apart.
    repo.git('status', '--porcelain');
    expect(readFileSync(join(repo.dir, '.git/index')).equals(index)).toBe(false);
  });
});
