#!/usr/bin/env node
// The least any planner in Node must do, timed against shipgraph, Nx and Turborepo: start Node and
// read from git what a plan needs, nothing more: the tree at head (git ls-tree), every package.json
// in it (one git cat-file --batch) and the diff between the two commits (git diff-tree). It prints
// how much it read, so the bench can check that it did read it.
//
//   node tools/bench/floor.mjs --base REF --head REF          (from the repository root)
//   node tools/bench/floor.mjs --base REF --head REF --walk   (also select the services, as before)
//
// With --walk it also parses the manifests, applies the workspace globs and walks the dependents of
// the changed packages (the figure the bench called "floor" until 2026-12), and prints the services.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// shipgraph's default input rules and global files (packages/core/src/changes/inputs.ts).
const EXCLUDED = /(?:\.md$|\.test\.[^/]*$|\.spec\.[^/]*$|(?:^|\/)__tests__\/|(?:^|\/)e2e\/)/;
const GLOBAL_FILES = new Set(['tsconfig.base.json', '.nvmrc', '.node-version']);
const LOCKFILES = new Set(['package-lock.json', 'pnpm-lock.yaml']);
const SERVERLESS = /^serverless\.(?:yml|yaml|json|js|ts)$/;
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * The services to deploy: those owning a changed input file, or depending (transitively) on a
 * package that does. `packages` are `{ name, dir, deps, isService }`. A global file or a lockfile
 * change (which this floor does not analyse) selects every service.
 */
export function selectServices(packages, changedPaths) {
  const byDir = new Map(packages.map((pkg) => [pkg.dir, pkg]));
  const changed = new Set();
  let everything = false;
  for (const path of changedPaths) {
    if (GLOBAL_FILES.has(path) || LOCKFILES.has(path)) everything = true;
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const owner = byDir.get(path.slice(0, end));
      if (owner === undefined) continue;
      if (!EXCLUDED.test(path.slice(end + 1))) changed.add(owner.name);
      break;
    }
  }
  if (everything)
    return packages
      .filter((pkg) => pkg.isService)
      .map((pkg) => pkg.name)
      .sort();
  const dependents = new Map();
  for (const pkg of packages) {
    for (const dep of pkg.deps) {
      if (!dependents.has(dep)) dependents.set(dep, []);
      dependents.get(dep).push(pkg.name);
    }
  }
  const reached = new Set(changed);
  const queue = [...changed];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const next of dependents.get(name) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  const services = new Set(packages.filter((pkg) => pkg.isService).map((pkg) => pkg.name));
  return [...reached].filter((name) => services.has(name)).sort();
}

function git(args, input) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(Buffer.concat(out))
        : reject(new Error(`git ${args[0]} failed: ${Buffer.concat(err).toString().trim()}`)),
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

/**
 * The git reads alone: ls-tree of head and diff-tree of base..head at once, then every package.json
 * of the tree (outside node_modules) in one cat-file. Returns the raw outputs and the manifests' paths.
 */
async function readFromGit(base, head) {
  const [tree, diff] = await Promise.all([
    git(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', head]),
    git(['diff-tree', '-r', '-z', '--name-only', '--no-commit-id', '--end-of-options', base, head]),
  ]);
  const paths = [];
  const oids = [];
  // <mode> SP <type> SP <oid> TAB <path> NUL; only the entries naming a package.json are decoded.
  const needle = Buffer.from('package.json\0');
  for (let at = tree.indexOf(needle); at >= 0; at = tree.indexOf(needle, at + needle.length)) {
    const tab = tree.lastIndexOf(9, at);
    if (tab !== at - 1 && tree[at - 1] !== 47) continue; // "xpackage.json" is not a manifest
    const start = tree.lastIndexOf(0, tab) + 1;
    const path = tree.toString('utf8', tab + 1, at + needle.length - 1);
    if (path.includes('node_modules/')) continue;
    paths.push(path);
    oids.push(tree.toString('latin1', start + 12, tab));
  }
  const blobs = await git(['cat-file', '--batch'], oids.join('\n') + '\n');
  return { tree, diff, paths, blobs };
}

/** Blob texts, in order, from the output of one `git cat-file --batch`. */
function splitBlobs(output, count) {
  const texts = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const newline = output.indexOf(10, offset);
    const header = output.toString('latin1', offset, newline);
    const size = Number(header.slice(header.lastIndexOf(' ') + 1));
    texts.push(output.toString('utf8', newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return texts;
}

const nulSeparated = (buffer) =>
  buffer
    .toString('utf8')
    .split('\0')
    .filter((entry) => entry !== '');

/** `libs/*` → a RegExp for package directories; `*` is one path segment, `**` any number. */
const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .replace(/\/+$/, '')
      .split('/')
      .map((part) =>
        part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*'),
      )
      .join('/')}$`,
  );

/** The services to deploy, from what readFromGit read: the floor with the walk (--walk). */
function walk({ tree, diff, paths, blobs }) {
  const texts = splitBlobs(blobs, paths.length);
  const manifests = new Map(
    paths.map((path, i) => [path === 'package.json' ? '' : path.slice(0, -'/package.json'.length), texts[i]]),
  );
  const serviceDirs = new Set();
  for (const entry of nulSeparated(tree)) {
    const path = entry.slice(entry.indexOf('\t') + 1);
    const slash = path.lastIndexOf('/');
    if (slash > 0 && SERVERLESS.test(path.slice(slash + 1))) serviceDirs.add(path.slice(0, slash));
  }
  const root = JSON.parse(manifests.get('') ?? '{}');
  const workspaces = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  const inWorkspace = workspaces.map(globToRegExp);
  const parsed = [...manifests]
    .filter(([dir]) => dir !== '' && inWorkspace.some((pattern) => pattern.test(dir)))
    .map(([dir, text]) => ({ dir, manifest: JSON.parse(text) }));
  const names = new Set(parsed.map(({ manifest }) => manifest.name));
  const packages = parsed.map(({ dir, manifest }) => ({
    name: manifest.name,
    dir,
    isService: serviceDirs.has(dir),
    deps: [...new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})))].filter(
      (dep) => names.has(dep),
    ),
  }));
  return selectServices(packages, nulSeparated(diff));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, head: { type: 'string' }, walk: { type: 'boolean' } },
  });
  if (!values.base || !values.head) {
    console.error('usage: floor.mjs --base REF --head REF [--walk]');
    process.exit(2);
  }
  const read = await readFromGit(values.base, values.head);
  if (values.walk) console.log(JSON.stringify({ services: walk(read) }));
  else
    console.log(
      JSON.stringify({
        manifests: read.paths.length,
        manifestBytes: read.blobs.length,
        changed: nulSeparated(read.diff).length,
      }),
    );
}
