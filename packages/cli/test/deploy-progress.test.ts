// What a person sees while a deploy runs: the live view on a terminal (a real pseudo-terminal), plain
// timestamped lines without one (CI), --quiet and --verbose, NO_COLOR and FORCE_COLOR.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';
import { hasTerminal } from './helpers/repo.js';

/** users ← orders ← billing, and search on its own; users has an e2e script. */
function shop(behaviour: Record<string, object>) {
  const repo = commandRepo({ users: [], orders: ['users'], billing: ['orders'], search: [] });
  repo.write({
    'services/users/package.json': { name: 'users', scripts: { 'test:e2e': 'node e2e.mjs' } },
    'services/users/e2e.mjs': "console.log('e2e users ok');\n",
    'deploy-behaviour.json': behaviour,
  });
  repo.commit();
  return repo;
}

const logOf = (dir: string, name: string): string =>
  readFileSync(join(dir, '.shipgraph/logs/staging', `${name}.log`), 'utf8');

const ESC = '\u001b';
const ERASE_LINE = `${ESC}[2K`;
const UP = `${ESC}[1A`;

/** Times change from run to run. */
const masked = (text: string): string =>
  text
    .replace(/^\d\d:\d\d:\d\d /gm, 'HH:MM:SS ')
    .replace(/(deployed in|unchanged in|passed in|failed after) \d+\.\ds/g, '$1 N.Ns')
    .replace(/\$ node \S+ \S+/g, '$ node <fake-deploy> <repo>');

describe.skipIf(!hasTerminal)('the live view on a terminal', () => {
  it('redraws each service and region in place with its state and elapsed time; a failure shows its last lines', async () => {
    const repo = shop({
      users: { sleepMs: 2500 },
      orders: { fail: true },
      search: { throttle: 1, noChange: true },
    });
    const run = await repo.runOnTerminal(['deploy', '--no-check-stacks', '--retry-delay', '1']);
    expect(run.exitCode).toBe(1);
    const raw = run.output.replace(/\r\n/g, '\n');
    const seen = stripVTControlCharacters(raw);
    // Redrawn in place: lines of the previous frame erased (erase line, cursor up), in colour.
    expect(raw).toContain(`${ERASE_LINE}${UP}${ERASE_LINE}`);
    expect(raw).toContain('\u001b[32mdeployed\u001b[39m');
    expect(seen).toMatch(/· orders\/us-east-1 +waiting on users/);
    expect(seen).toMatch(/· billing\/us-east-1 +waiting on orders/);
    expect(seen).toMatch(/▸ users\/us-east-1 +deploying 0s/);
    // Redrawn as time passes, not only when something happens.
    expect(seen).toMatch(/▸ users\/us-east-1 +deploying [12]s/);
    expect(seen).toMatch(/▸ search\/us-east-1 +retrying \(1 of 2\) \ds/);
    expect(seen).toMatch(/ running, \d+ waiting, \d+ done · \ds/);
    expect(seen).toMatch(/✔ users\/us-east-1 {2}deployed in [2-9]\.\ds\n/);
    expect(seen).toMatch(/✔ search\/us-east-1 {2}unchanged in \d+\.\ds\n/);
    expect(masked(seen)).toContain(
      [
        '✖ orders/us-east-1  failed after N.Ns: node failed (exit code 1)',
        '    | $ node <fake-deploy> <repo>',
        '    | deploying orders to staging/us-east-1 (attempt 1)',
        '    | orders: deploy failed on purpose',
        '    full log: .shipgraph/logs/staging/orders.us-east-1.log',
      ].join('\n'),
    );
    expect(seen).toContain('- billing/us-east-1  blocked: orders failed\n');
    expect(seen).toMatch(/▸ users\/us-east-1 e2e +running \ds/);
    expect(seen).toMatch(/✔ users\/us-east-1 e2e {2}passed in \d+\.\ds\n/);
    // The tools' lines are not printed whole; the log files have every one.
    expect(seen).not.toMatch(/^\[users\/us-east-1\]/m);
    expect(logOf(repo.dir, 'users.us-east-1')).toContain(
      'deploying users to staging/us-east-1 (attempt 1)\ndeployed users\n',
    );
    expect(logOf(repo.dir, 'search.us-east-1')).toMatch(
      /Rate exceeded[^]*\(attempt 2\)[^]*No changes to deploy/,
    );
    expect(logOf(repo.dir, 'orders.us-east-1')).toContain(
      'orders: deploy failed on purpose\nfailed: node failed',
    );
    expect(logOf(repo.dir, 'users.us-east-1.e2e')).toContain('e2e users ok');
    // The summary comes after the view, which left nothing live behind.
    const summary = seen.indexOf('SERVICE  REGION');
    expect(summary).toBeGreaterThan(seen.lastIndexOf('passed in'));
    expect(seen.slice(summary)).not.toMatch(/running, \d+ waiting/);
  });

  it('NO_COLOR: the same live view without colour', async () => {
    const repo = shop({ users: { sleepMs: 2500 } });
    const run = await repo.runOnTerminal(['deploy', '--no-check-stacks', '--skip-e2e'], { NO_COLOR: '1' });
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(ERASE_LINE);
    expect(run.output).toMatch(/✔ users\/us-east-1 {2}deployed in/);
    // Nothing else happens while users deploys (search is done at once, orders waits on it): only
    // the clock redraws its elapsed time.
    expect(run.output).toMatch(/▸ users\/us-east-1 +deploying [12]s/);
    // Neither dim (2) nor a foreground colour (30-39).
    expect(run.output).not.toMatch(new RegExp(`${ESC}\\[(2|3\\d)m`));
  });

  it('--verbose: plain lines with every tool line instead of the view', async () => {
    const repo = shop({});
    const run = await repo.runOnTerminal(['deploy', '--no-check-stacks', '--skip-e2e', '--verbose']);
    expect(run.exitCode).toBe(0);
    const seen = stripVTControlCharacters(run.output.replace(/\r\n/g, '\n'));
    expect(run.output).not.toContain(ERASE_LINE);
    expect(seen).toContain('[users/us-east-1] deploying users to staging/us-east-1 (attempt 1)\n');
    expect(seen).toMatch(/^\d\d:\d\d:\d\d \[users\/us-east-1\] deployed in \d+\.\ds$/m);
  });
});

describe('plain lines without a terminal (CI)', () => {
  it('a timestamped line per event, the tools’ lines among them, a failure with its last lines', async () => {
    const repo = shop({ orders: { fail: true }, search: { throttle: 1, noChange: true } });
    // One at a time, so the order of the lines is fixed: the longest chain first.
    const run = await deploy(repo, ['--concurrency', '1', '--skip-e2e'], { CI: 'true' });
    expect(run.exitCode).toBe(1);
    const events = masked(run.stderr)
      .split('\n')
      .filter((line) => /^(HH:MM:SS| {4})/.test(line));
    expect(events).toEqual([
      'HH:MM:SS [users/us-east-1] started',
      'HH:MM:SS [users/us-east-1] deployed in N.Ns',
      'HH:MM:SS [orders/us-east-1] started',
      'HH:MM:SS [orders/us-east-1] failed after N.Ns: node failed (exit code 1)',
      '    | $ node <fake-deploy> <repo>',
      '    | deploying orders to staging/us-east-1 (attempt 1)',
      '    | orders: deploy failed on purpose',
      '    full log: .shipgraph/logs/staging/orders.us-east-1.log',
      'HH:MM:SS [billing/us-east-1] blocked: orders failed',
      'HH:MM:SS [search/us-east-1] started',
      'HH:MM:SS [search/us-east-1] retrying (1 of 2) in 0.1s: node failed (exit code 1)',
      'HH:MM:SS [search/us-east-1] unchanged in N.Ns',
    ]);
    // The build log is the only copy that outlives a CodeBuild container: the tools' lines are in it.
    expect(run.stderr).toContain('[users/us-east-1] deploying users to staging/us-east-1 (attempt 1)\n');
    expect(run.stderr).not.toContain(ESC);
    // stdout is the result only.
    expect(run.summary?.ok).toBe(false);
  });

  it('e2e runs get their lines too', async () => {
    const repo = shop({});
    const run = await deploy(repo, [], { CI: 'true' });
    expect(run.exitCode).toBe(0);
    // E2e runs go beside deploys: their lines come between other steps' lines, each with its prefix.
    const e2eLines = masked(run.stderr)
      .split('\n')
      .filter((line) => line.includes('[users/us-east-1 e2e]'));
    expect(e2eLines.slice(0, 2)).toEqual([
      'HH:MM:SS [users/us-east-1 e2e] started',
      '[users/us-east-1 e2e] $ npm run test:e2e',
    ]);
    expect(masked(run.stderr)).toMatch(/^HH:MM:SS \[users\/us-east-1 e2e\] passed in N\.Ns$/m);
  });

  it('FORCE_COLOR colours them even so', async () => {
    const repo = shop({});
    const run = await deploy(repo, ['--skip-e2e'], { CI: 'true', FORCE_COLOR: '1' });
    expect(run.stderr).toContain(` [users/us-east-1] ${ESC}[32mdeployed${ESC}[39m in `);
  });

  it('--quiet: only the failure, with its last lines; the summary on stdout', async () => {
    const repo = shop({ orders: { fail: true } });
    const run = await deploy(repo, ['--quiet', '--skip-e2e']);
    expect(run.exitCode).toBe(1);
    expect(masked(run.stderr)).toBe(
      [
        '[orders/us-east-1] failed after N.Ns: node failed (exit code 1)',
        '    | $ node <fake-deploy> <repo>',
        '    | deploying orders to staging/us-east-1 (attempt 1)',
        '    | orders: deploy failed on purpose',
        '    full log: .shipgraph/logs/staging/orders.us-east-1.log',
      ].join('\n'),
    );
    expect(run.summary?.results.map((result) => `${result.service}:${result.status}`).sort()).toEqual([
      'billing:blocked',
      'orders:failed',
      'search:deployed',
      'users:deployed',
    ]);
  });

  it('e2e and destroy take --quiet and --verbose too', async () => {
    const repo = shop({});
    expect((await deploy(repo, ['--skip-e2e'])).exitCode).toBe(0);
    const e2e = await repo.run(['e2e', 'users', '--verbose']);
    expect(e2e.stderr).toContain('[users/us-east-1 e2e] e2e users ok');
    const quiet = await repo.run(['e2e', 'users', '--quiet']);
    expect({ exitCode: quiet.exitCode, stderr: quiet.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const destroyed = await repo.run(['destroy', '--yes', '--quiet']);
    expect({ exitCode: destroyed.exitCode, stderr: destroyed.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const both = await repo.run(['deploy', '--quiet', '--verbose']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('E_USAGE: Arguments quiet and verbose are mutually exclusive');
  });
});
