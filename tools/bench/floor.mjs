#!/usr/bin/env node
// The least any correct planner must do, timed against shipgraph, Nx and Turborepo: read the
// workspace manifests at head (git ls-tree + one cat-file --batch) and the diff (git diff-tree
// --name-only), then walk the dependents of the changed packages. Prints the selected services as JSON.
//
//   node tools/bench/floor.mjs --base REF --head REF      (from the repository root)
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
    const child = spawn('git', args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
    child.stdin.end(input);
  });
}

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

async function floor(base, head) {
  const [tree, diff] = await Promise.all([
    git(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', head]),
    git(['diff-tree', '-r', '-z', '--name-only', '--no-commit-id', '--end-of-options', base, head]),
  ]);
  // One pass over the tree: manifests (with their blob ids) and the directories holding a serverless file.
  const manifestOids = new Map();
  const serviceDirs = new Set();
  for (const entry of tree.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const path = entry.slice(tab + 1);
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (base === 'package.json')
      manifestOids.set(slash < 0 ? '' : path.slice(0, slash), entry.slice(12, tab));
    else if (slash > 0 && base.startsWith('serverless.') && SERVERLESS.test(base))
      serviceDirs.add(path.slice(0, slash));
  }
  const rootOid = manifestOids.get('');
  const root = rootOid === undefined ? {} : JSON.parse((await readBlobs([rootOid]))[0]);
  const workspaces = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  const inWorkspace = workspaces.map(globToRegExp);
  const dirs = [...manifestOids.keys()].filter(
    (dir) => !dir.includes('node_modules/') && inWorkspace.some((pattern) => pattern.test(dir)),
  );
  const manifests = await readBlobs(dirs.map((dir) => manifestOids.get(dir)));
  const parsed = dirs.map((dir, i) => ({ dir, manifest: JSON.parse(manifests[i]) }));
  const names = new Set(parsed.map(({ manifest }) => manifest.name));
  const packages = parsed.map(({ dir, manifest }) => ({
    name: manifest.name,
    dir,
    isService: serviceDirs.has(dir),
    deps: [...new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})))].filter(
      (dep) => names.has(dep),
    ),
  }));
  const changed = diff
    .toString('utf8')
    .split('\0')
    .filter((path) => path !== '');
  return selectServices(packages, changed);
}

/** Blob texts, in order, from one `git cat-file --batch`. */
async function readBlobs(oids) {
  const output = await git(['cat-file', '--batch'], oids.join('\n') + '\n');
  const texts = [];
  let offset = 0;
  for (let i = 0; i < oids.length; i++) {
    const newline = output.indexOf(10, offset);
    const header = output.subarray(offset, newline).toString('utf8');
    const size = Number(header.slice(header.lastIndexOf(' ') + 1));
    texts.push(output.subarray(newline + 1, newline + 1 + size).toString('utf8'));
    offset = newline + 1 + size + 1;
  }
  return texts;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { base: { type: 'string' }, head: { type: 'string' } } });
  if (!values.base || !values.head) {
    console.error('usage: floor.mjs --base REF --head REF');
    process.exit(2);
  }
  console.log(JSON.stringify({ services: await floor(values.base, values.head) }));
}
