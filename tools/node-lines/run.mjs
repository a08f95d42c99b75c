#!/usr/bin/env node
// Runs the vitest suite (both projects: unit, and aws against moto) on each Node.js line that
// `npm ci --prefix tools/node-lines` installs here. Its node goes first on PATH, so the shipgraph binaries
// and deploy tools the tests spawn run on it too. Extra arguments go to vitest (`... --project unit`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
// The aliases of package.json here, one per line.
const LINES = ['node22', 'node24'];

/** The tests a run's JSON report says failed, as `file > suite > test`, or why the report is missing. */
function failuresIn(report) {
  if (!existsSync(report)) return ['(vitest wrote no report: see its output above)'];
  const { testResults = [] } = JSON.parse(readFileSync(report, 'utf8'));
  return testResults.flatMap((file) => {
    const name = relative(ROOT, file.name);
    const failed = file.assertionResults.filter((test) => test.status === 'failed');
    if (failed.length === 0 && file.status === 'failed') return [`${name}: ${file.message ?? 'failed'}`];
    return failed.map((test) => [name, ...test.ancestorTitles, test.title].join(' > '));
  });
}

// Each line's JSON report, so the end of the log names what failed on every line (the first line's
// own failure list has scrolled far up by then).
const reports = mkdtempSync(join(tmpdir(), 'node-lines-'));
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
  const report = join(reports, `${line}.json`);
  const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  const run = spawnSync('node', [VITEST, 'run', ...reporters, ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const ok = run.status === 0;
  results.push({ line, version, ok, seconds, failures: ok ? [] : failuresIn(report) });
}
rmSync(reports, { recursive: true, force: true });

console.log('');
for (const { line, version, ok, seconds, failures } of results) {
  console.log(`node-lines: ${line} (node ${version}): ${ok ? 'passed' : 'FAILED'} in ${seconds}s`);
  for (const failure of failures) console.log(`  failed: ${failure}`);
}
process.exitCode = results.every((result) => result.ok) ? 0 : 1;
