// The e2e stage after deploy, and `shipgraph e2e`: order, environment, failures remembered, JUnit.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';

/** api ← web; cron has no e2e script. web's e2e fails while the file `web-e2e-fails` exists at the root. */
function e2eRepo() {
  const repo = commandRepo({ api: [], web: ['api'], cron: [] });
  const e2e = (name: string) =>
    [
      `import { existsSync, readFileSync } from 'node:fs';`,
      `const outputs = JSON.parse(readFileSync(process.env.SHIPGRAPH_OUTPUTS_FILE, 'utf8'));`,
      `console.log('e2e ${name}', process.env.SHIPGRAPH_STAGE, process.env.SHIPGRAPH_REGION, process.env.SHIPGRAPH_SERVICE, Object.keys(outputs).join(','));`,
      `if (existsSync('../../${name}-e2e-fails')) { console.error('${name}: expected 201, got 500'); process.exit(1); }`,
      '',
    ].join('\n');
  for (const name of ['api', 'web']) {
    const manifest = JSON.parse(
      readFileSync(join(repo.dir, `services/${name}/package.json`), 'utf8'),
    ) as object;
    repo.write({
      [`services/${name}/package.json`]: { ...manifest, scripts: { 'test:e2e': 'node e2e/run.mjs' } },
      [`services/${name}/e2e/run.mjs`]: e2e(name),
    });
  }
  repo.write({ '.gitignore': '.shipgraph/\n*-e2e-fails\n.attempts-*\nreport.xml\n' });
  return repo;
}

const e2eOf = (summary: { e2e?: { service: string; status: string }[] } | null) =>
  (summary?.e2e ?? []).map((result) => `${result.service}:${result.status}`);

const recordedE2e = (dir: string) =>
  Object.fromEntries(
    Object.entries(
      (
        JSON.parse(readFileSync(join(dir, '.shipgraph/state/staging.json'), 'utf8')) as {
          services: Record<string, { e2e?: { status: string } }>;
        }
      ).services,
    ).map(([name, record]) => [name, record.e2e?.status ?? null]),
  );

describe('e2e after deploy', () => {
  it('tests what deployed, each once it has deployed, with the stage, region and outputs in the environment', async () => {
    const repo = e2eRepo();
    repo.commit();
    const { exitCode, summary, stderr } = await deploy(repo);
    expect(exitCode).toBe(0);
    expect(e2eOf(summary)).toEqual(['api:passed', 'cron:skipped', 'web:passed']);
    expect(stderr).toContain('[api/us-east-1 e2e] e2e api staging us-east-1 api api');
    expect(stderr).toContain('[web/us-east-1 e2e] e2e web staging us-east-1 web web,api');
    // Each runs once it has deployed (and web once api has); side by side, so in no fixed order.
    expect(stderr.indexOf('[api/us-east-1] deployed in')).toBeLessThan(stderr.indexOf('e2e api staging'));
    expect(stderr.indexOf('[web/us-east-1] deployed in')).toBeLessThan(stderr.indexOf('e2e web staging'));
    expect(recordedE2e(repo.dir)).toEqual({ api: 'passed', web: 'passed', cron: null });
  });

  it('a failing e2e fails the run, is written as JUnit, and is tested again next time until it passes', async () => {
    const repo = e2eRepo();
    repo.write({ 'web-e2e-fails': '' });
    repo.commit();
    const first = await deploy(repo, ['--junit', 'reports/e2e.xml']);
    expect(first.exitCode).toBe(1);
    expect(e2eOf(first.summary)).toEqual(['api:passed', 'cron:skipped', 'web:failed']);
    expect(recordedE2e(repo.dir)).toEqual({ api: 'passed', web: 'failed', cron: null });
    const junit = readFileSync(join(repo.dir, 'reports/e2e.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="web" tests="1" failures="1" skipped="0"');
    expect(junit).toContain('<testsuite name="cron" tests="1" failures="0" skipped="1"');
    expect(junit).toMatch(
      /<failure message="npm failed \(exit code 1\)">npm failed \(exit code 1\) \(log: \.shipgraph\/logs\/staging\/web\.us-east-1\.e2e\.log\)<\/failure>/,
    );
    expect(readFileSync(join(repo.dir, '.shipgraph/logs/staging/web.us-east-1.e2e.log'), 'utf8')).toContain(
      'web: expected 201, got 500',
    );

    // Nothing changed, but web's e2e failed last time: only it is tested again (nothing deploys).
    const second = await deploy(repo);
    expect(second.exitCode).toBe(1);
    expect(e2eOf(second.summary)).toEqual(['web:failed']);

    repo.remove('web-e2e-fails');
    const third = await deploy(repo);
    expect(third.exitCode).toBe(0);
    expect(e2eOf(third.summary)).toEqual(['web:passed']);
    expect(recordedE2e(repo.dir)).toEqual({ api: 'passed', web: 'passed', cron: null });
    expect(e2eOf((await deploy(repo)).summary)).toEqual([]);
  });

  it('--skip-e2e and a stage with e2e turned off run none', async () => {
    const repo = e2eRepo();
    const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
    repo.write({ 'shipgraph.config.json': { ...config, stages: { staging: {}, prod: { e2e: false } } } });
    repo.commit();
    const skipped = await deploy(repo, ['--skip-e2e']);
    expect(e2eOf(skipped.summary)).toEqual([]);
    expect(skipped.stderr).toContain('e2e: skipped (--skip-e2e)');
    const prod = await deploy(repo, ['--stage', 'prod']);
    expect(e2eOf(prod.summary)).toEqual([]);
    expect(prod.stderr).toContain('e2e: skipped (turned off for stage prod in the config)');
  });

  it('services deployed with --skip-e2e stay untested: the next run with e2e tests them though nothing changed', async () => {
    const repo = e2eRepo();
    repo.commit();
    const skipped = await deploy(repo, ['--skip-e2e']);
    expect(e2eOf(skipped.summary)).toEqual([]);
    expect(recordedE2e(repo.dir)).toEqual({ api: 'untested', web: 'untested', cron: 'untested' });
    const next = await deploy(repo);
    expect(next.summary?.results.map((result) => result.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(e2eOf(next.summary)).toEqual(['api:passed', 'cron:skipped', 'web:passed']);
    // cron has no e2e script: nothing to prove, so it is not tested again.
    expect(recordedE2e(repo.dir)).toEqual({ api: 'passed', web: 'passed', cron: null });
    expect(e2eOf((await deploy(repo)).summary)).toEqual([]);
  });

  it('JUnit has one case per test when the e2e script writes JUnit XML to $SHIPGRAPH_E2E_JUNIT', async () => {
    const repo = e2eRepo();
    // A runner's report, as vitest's junit reporter writes one: two tests, one failing.
    const runner = [
      `import { writeFileSync } from 'node:fs';`,
      `writeFileSync(process.env.SHIPGRAPH_E2E_JUNIT, \``,
      `<?xml version="1.0" encoding="UTF-8" ?>`,
      `<testsuites name="vitest tests" tests="2" failures="1" errors="0" time="0.2">`,
      `  <testsuite name="e2e/orders.e2e.mjs" tests="2" failures="1" errors="0" skipped="0" time="0.2">`,
      `    <testcase classname="e2e/orders.e2e.mjs" name="orders &gt; is written to the table" time="0.12"/>`,
      `    <testcase classname="e2e/orders.e2e.mjs" name="orders &gt; is read back over HTTP" time="0.08">`,
      `      <failure message="expected 200, got 500" type="AssertionError">AssertionError: expected 200, got 500\n    at orders.e2e.mjs:12</failure>`,
      `    </testcase>`,
      `  </testsuite>`,
      `</testsuites>\`);`,
      `process.exit(1);`,
      '',
    ].join('\n');
    repo.write({ 'services/web/e2e/run.mjs': runner });
    repo.commit();
    const result = await deploy(repo, ['--junit', 'reports/e2e.xml']);
    expect(result.exitCode).toBe(1);
    const junit = readFileSync(join(repo.dir, 'reports/e2e.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="web" tests="2" failures="1" skipped="0" time="0.200">');
    expect(junit).toContain(
      '<testcase classname="e2e/orders.e2e.mjs" name="orders &gt; is written to the table" time="0.120"/>',
    );
    expect(junit).toContain(
      '<testcase classname="e2e/orders.e2e.mjs" name="orders &gt; is read back over HTTP" time="0.080"><failure message="expected 200, got 500">expected 200, got 500</failure></testcase>',
    );
    // api wrote no JUnit: its suite is the whole run, as one case.
    expect(junit).toContain('<testcase classname="api" name="e2e staging us-east-1"');
  });

  it('shipgraph e2e runs the named services on their own', async () => {
    const repo = e2eRepo();
    repo.commit();
    await deploy(repo, ['--skip-e2e']);
    repo.write({ 'web-e2e-fails': '' });
    const result = await repo.run(['e2e', 'web', '--json', '--junit', 'report.xml']);
    expect(result.exitCode).toBe(1);
    const parsed = JSON.parse(result.stdout) as { results: { service: string; status: string }[] };
    expect(parsed.results.map((entry) => `${entry.service}:${entry.status}`)).toEqual(['web:failed']);
    expect(existsSync(join(repo.dir, 'report.xml'))).toBe(true);
    // Without --json: a table with its header, each failed row with why and its log, then the totals.
    const table = await repo.run(['e2e', 'api', 'web']);
    expect(table.exitCode).toBe(1);
    expect(table.stdout.replace(/\d+\.\ds/g, 'N.Ns')).toBe(
      [
        'SERVICE  REGION     STATUS  TIME  LOG / DETAIL',
        'api      us-east-1  passed  N.Ns  .shipgraph/logs/staging/api.us-east-1.e2e.log',
        'web      us-east-1  failed  N.Ns  npm failed (exit code 1) (log: .shipgraph/logs/staging/web.us-east-1.e2e.log)',
        '',
        'e2e in stage staging: 1 passed, 1 failed, 0 skipped',
      ].join('\n'),
    );
    const unknown = await repo.run(['e2e', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('E_UNKNOWN_SERVICE: no service named "nope"');
  });
});
