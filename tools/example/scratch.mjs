// Copies the bundled example monorepo into a scratch git repository, as a team's clone would be.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE = join(root, 'examples', 'serverless-monorepo');

const git = (dir, ...args) =>
  execFileSync('git', ['-c', 'user.email=demo@shipgraph.dev', '-c', 'user.name=shipgraph demo', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  }).trim();

/**
 * A fresh git repository holding the example, its node_modules a link to this project's (so the
 * `serverless` binary and the handlers' packages resolve as in an installed clone). Returns its path.
 */
export function scratchExample(dir = mkdtempSync(join(tmpdir(), 'shipgraph-example-'))) {
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.serverless|\.shipgraph)([/\\]|$)/.test(source),
  });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'the example monorepo');
  return dir;
}

/** Appends a line to a file of the scratch repository and commits it; returns the new commit. */
export function commitChange(dir, file, line, message) {
  writeFileSync(join(dir, file), line, { flag: 'a' });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
