// Seeded workspaces of services deployed by `sleep` (the command deployer), for the scheduling and
// pipeline benchmarks, and a deploy of one that reads its own --json summary.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../packages/cli/bin/shipgraph.js', import.meta.url));

export const serviceName = (i) => `svc-${String(i).padStart(4, '0')}`;

/** Each service after the first depends on up to 3 earlier ones. */
export const seededDependencies = (count, random) =>
  Array.from({ length: count }, (_, i) =>
    i === 0
      ? []
      : [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * i)))],
  );

/**
 * A git repository of `count` services, service i deploying by sleeping `durationOf(i)` ms (0: `true`)
 * and depending on `depsOf(i)`; with `e2eMs`, each has a `test:e2e` script that sleeps that long.
 */
export function makeRepo(count, durationOf, depsOf, { e2eMs = null } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shipgraph-bench-'));
  const write = (rel, content) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };
  const services = {};
  write('package.json', { name: 'bench', private: true, workspaces: ['services/*'] });
  write('.gitignore', '.shipgraph/\n');
  for (let i = 0; i < count; i++) {
    const name = serviceName(i);
    write(`services/${name}/package.json`, {
      name,
      dependencies: Object.fromEntries(depsOf(i).map((d) => [serviceName(d), '*'])),
      ...(e2eMs === null ? {} : { scripts: { 'test:e2e': `sleep ${(e2eMs / 1000).toFixed(3)}` } }),
    });
    const ms = durationOf(i);
    services[name] = {
      deployer: { type: 'command', command: ms === 0 ? ['true'] : ['sleep', (ms / 1000).toFixed(3)] },
    };
  }
  write('shipgraph.config.json', { services });
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'bench');
  return dir;
}

/**
 * `shipgraph deploy --json` in `dir`: a first deploy (no state), or with `again` every service once more
 * with the durations the last run recorded. Returns its summary and when the process ended (epoch ms).
 */
export function deploy(dir, concurrency, { again = false, bin = BIN, args = [] } = {}) {
  if (!again) rmSync(join(dir, '.shipgraph'), { recursive: true, force: true });
  const started = performance.now();
  const stdout = execFileSync(
    'node',
    [
      bin,
      'deploy',
      '--json',
      '--no-check-stacks',
      '--concurrency',
      String(concurrency),
      ...(again ? ['--all'] : []),
      ...args,
    ],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 },
  );
  const exitedAt = Date.now();
  const wallMs = performance.now() - started;
  const summary = JSON.parse(stdout);
  if (!summary.ok) throw new Error('a benchmark deploy failed');
  return { wallMs, exitedAt, summary };
}
