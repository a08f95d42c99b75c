#!/usr/bin/env node
// Runs the vitest suite (both projects: unit, and aws against moto) on each Node.js line that
// `npm ci --prefix tools/node-lines` installs here. Its node goes first on PATH, so the shipgraph binaries
// and deploy tools the tests spawn run on it too. Extra arguments go to vitest (`... --project unit`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
// The aliases of package.json here, one per line.
const LINES = ['node22', 'node24'];

const results = [];
for (const line of LINES) {
  const bin = join(HERE, 'node_modules', line, 'bin');
  if (!existsSync(join(bin, 'node'))) {
    console.error(`node-lines: ${line} is not installed (run: npm ci --prefix tools/node-lines)`);
    process.exit(1);
  }
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  // Resolved through that PATH, as the tests' own `node` children are.
  const version = execFileSync('node', ['-p', 'process.version'], { env, encoding: 'utf8' }).trim();
  console.log(`\nnode-lines: ${line}: vitest on node ${version} (${join(bin, 'node')})`);
  const started = Date.now();
  const run = spawnSync('node', [VITEST, 'run', ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  results.push({ line, version, ok: run.status === 0, seconds });
}

console.log('');
for (const { line, version, ok, seconds } of results)
  console.log(`node-lines: ${line} (node ${version}): ${ok ? 'passed' : 'FAILED'} in ${seconds}s`);
process.exitCode = results.every((result) => result.ok) ? 0 : 1;
