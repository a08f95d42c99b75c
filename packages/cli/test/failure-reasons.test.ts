// A failure says why and where its log is: the tool's own error line on every failed row (the summary
// table, --json, the report), and an excerpt that keeps the cause after it scrolled out of the last lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';
import { hasTerminal } from './helpers/repo.js';

// What osls prints when CloudFormation refuses a template: a header, then the message, then the rest.
const OSLS_FAILURE = [
  'Deploying orders to stage staging (us-east-1)',
  '× Stack orders-staging failed to deploy (12s)',
  'Environment: linux, node 20.20.2, osls 4.3.1 (local)',
  'Docs:        github.com/oss-serverless/osls',
  'Error:',
  'CREATE_FAILED: OrdersTable (AWS::DynamoDB::Table)',
  'Resource handler returned message: "Invalid KeySchema"',
];

// A jest run whose cause comes first and then scrolls out under its summary.
const JEST_FAILURE = [
  'FAIL test/orders.e2e.ts',
  '  ● Test suite failed to run',
  "    Cannot find module 'ts-node/register' from 'jest.config.ts'",
  '      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)',
  ...Array.from({ length: 30 }, (_, i) => `  summary line ${i + 1}`),
  'Test Suites: 1 failed, 1 total',
];

describe('a failure says why and where its log is', () => {
  it('every failed row has the tool’s error line and its log, in the table, --json and the report', async () => {
    const repo = commandRepo({ orders: [], billing: ['orders'], search: [] });
    repo.write({ 'deploy-behaviour.json': { orders: { fail: true, output: OSLS_FAILURE } } });
    repo.commit();
    const log = '.shipgraph/logs/staging/orders.us-east-1.log';
    const why = 'CREATE_FAILED: OrdersTable (AWS::DynamoDB::Table) (node failed (exit code 1))';

    const table = await repo.run(['deploy', '--no-check-stacks', '--report', 'report.html']);
    expect(table.exitCode).toBe(1);
    const row = table.stdout.split('\n').find((line) => line.startsWith('orders'));
    expect(row).toMatch(
      new RegExp(`^orders +us-east-1 +failed +\\d+\\.\\ds +${escape(why)} \\(log: ${escape(log)}\\)$`),
    );
    // A blocked row says why, and has no log of its own.
    expect(table.stdout).toMatch(/^billing +us-east-1 +blocked +- +blocked by orders@us-east-1$/m);

    const report = readFileSync(join(repo.dir, 'report.html'), 'utf8');
    const failedRow = /<tr class="status-failed">[\s\S]*?<\/tr>/.exec(report)?.[0] ?? '';
    expect(failedRow).toContain(why);
    expect(failedRow).toContain(log);

    const json = await deploy(repo);
    const failed = json.summary?.results.find((result) => result.service === 'orders');
    expect(failed).toMatchObject({ status: 'failed', error: why, log });
  });

  it.skipIf(!hasTerminal)(
    'the excerpt under a failure keeps the cause that scrolled out, then the last lines',
    async () => {
      const repo = commandRepo({ orders: [] });
      repo.write({ 'deploy-behaviour.json': { orders: { fail: true, output: JEST_FAILURE } } });
      repo.commit();
      const run = await repo.runOnTerminal(['deploy', '--no-check-stacks', '--skip-e2e']);
      expect(run.exitCode).toBe(1);
      const seen = stripVTControlCharacters(run.output.replace(/\r\n/g, '\n'));
      const excerpt = seen.split('\n').filter((line) => line.startsWith('    | '));
      expect(excerpt.slice(0, 5)).toEqual([
        "    |     Cannot find module 'ts-node/register' from 'jest.config.ts'",
        '    |       at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)',
        '    |   summary line 1',
        '    |   summary line 2',
        '    |   summary line 3',
      ]);
      expect(excerpt[5]).toBe('    | …');
      expect(excerpt.at(-1)).toBe('    | orders: deploy failed on purpose');
      expect(excerpt).toContain('    | Test Suites: 1 failed, 1 total');
      expect(seen).toMatch(
        /orders\/us-east-1 +failed after \d+\.\ds: Cannot find module 'ts-node\/register' from 'jest.config.ts' \(node failed \(exit code 1\)\)/,
      );
    },
  );
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
