// Copies the bundled example monorepo into a scratch git repository, as a team's clone would be.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
 * A fresh git repository holding the example, laid out as an installed clone: its node_modules links
 * to this project's packages (the `serverless` binary, the AWS SDK, vitest) and to its own workspace
 * packages (`@acme/shared`...), as `npm install` would. Returns its path.
 */
export function scratchExample(dir = mkdtempSync(join(tmpdir(), 'shipgraph-example-'))) {
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.serverless|\.shipgraph)([/\\]|$)/.test(source),
  });
  linkNodeModules(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'the example monorepo');
  return dir;
}

function linkNodeModules(dir) {
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@acme') symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  mkdirSync(join(modules, '@acme'));
  for (const group of ['libs', 'services']) {
    for (const name of readdirSync(join(dir, group))) {
      const manifest = JSON.parse(readFileSync(join(dir, group, name, 'package.json'), 'utf8'));
      symlinkSync(join('..', '..', group, name), join(modules, manifest.name));
    }
  }
}

/** Appends a line to a file of the scratch repository and commits it; returns the new commit. */
export function commitChange(dir, file, line, message) {
  writeFileSync(join(dir, file), line, { flag: 'a' });
  return commitAll(dir, message);
}

/** Replaces text in a file of the scratch repository (it must be there) and commits; returns the new commit. */
export function commitEdit(dir, file, from, to, message) {
  const text = readFileSync(join(dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  writeFileSync(join(dir, file), text.replace(from, to));
  return commitAll(dir, message);
}

function commitAll(dir, message) {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
