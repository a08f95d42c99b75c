// --report in a real headless Chromium: the report of a real deploy (one service failing, its
// dependent blocked, e2e tests with JUnit cases) and of a plan, opened from file://.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { criticalChain } from '@shipgraph/core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserMissing, closeBrowser, openFile, type OpenedPage } from './helpers/browser.js';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';
import type { TestRepo } from './helpers/repo.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../reports/browser/', import.meta.url));
const missing = browserMissing();
if (missing !== null) console.warn(`report browser tests skipped: ${missing}`);

/** Each service's direct dependencies among the services (shared is a library). */
const NEEDS: Record<string, string[]> = { api: ['db'], web: ['api'], worker: ['db'], notifier: ['worker'] };

/** db ← api ← web is the slow chain; worker fails, so notifier is blocked; cron stands alone. */
function reportRepo(): TestRepo {
  const repo = commandRepo(
    { db: [], api: ['db', 'shared'], web: ['api'], worker: ['db'], notifier: ['worker'], cron: [] },
    { shared: [] },
  );
  const junit = [
    '<testsuites><testsuite name="api">',
    '<testcase classname="api.e2e" name="creates an order &lt;b&gt;fast&lt;/b&gt;" time="0.012"/>',
    '<testcase classname="api.e2e" name="lists orders" time="0.020"><failure message="expected 200, got 500"/></testcase>',
    '</testsuite></testsuites>',
  ].join('');
  const e2e = {
    api: `import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.SHIPGRAPH_E2E_JUNIT, ${JSON.stringify(junit)});\nprocess.exit(1);\n`,
    web: `console.log('web ok');\n`,
  };
  for (const [name, script] of Object.entries(e2e)) {
    const file = join(repo.dir, `services/${name}/package.json`);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as object;
    repo.write({
      [`services/${name}/package.json`]: { ...manifest, scripts: { 'test:e2e': 'node e2e/run.mjs' } },
      [`services/${name}/e2e/run.mjs`]: script,
    });
  }
  repo.write({
    'deploy-behaviour.json': {
      db: { sleepMs: 300 },
      api: { sleepMs: 700 },
      web: { sleepMs: 300 },
      worker: { fail: true },
      cron: { sleepMs: 50 },
    },
  });
  repo.commit();
  return repo;
}

/**
 * A platform's packages in layers, as teams have them: shared configs and types at the bottom, clients,
 * then services that use each other. Many edges skip columns (ts-configs and logger reach the top), so a
 * layout that draws them straight across would cross the boxes between.
 */
const PLATFORM_LIBS: Record<string, string[]> = {
  'ts-configs': [],
  types: ['ts-configs'],
  logger: ['ts-configs'],
  config: ['types'],
  'aws-clients': ['config', 'logger'],
  db: ['aws-clients', 'types'],
  events: ['aws-clients'],
  http: ['logger', 'config'],
  auth: ['http', 'db'],
};
const PLATFORM_SERVICES: Record<string, string[]> = {
  users: ['auth', 'db'],
  orders: ['auth', 'db', 'events'],
  payments: ['orders', 'http', 'ts-configs'],
  inventory: ['db', 'events'],
  shipping: ['orders', 'inventory', 'logger'],
  notifications: ['events', 'logger'],
  emails: ['notifications', 'ts-configs'],
  search: ['inventory', 'http'],
  reports: ['orders', 'payments', 'db'],
  billing: ['payments', 'users', 'types'],
  gateway: ['users', 'orders', 'search', 'auth'],
  admin: ['gateway', 'reports', 'ts-configs'],
  webhooks: ['events', 'http'],
  audit: ['logger', 'events', 'db'],
  analytics: ['audit', 'reports', 'logger'],
  scheduler: ['config', 'events'],
};

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** What the graph test reads in the page, typed here: the tests are compiled without the DOM library. */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  readonly textContent: string | null;
  getBoundingClientRect(): Rect;
}
interface PagePath extends PageElement {
  getTotalLength(): number;
  getPointAtLength(at: number): { matrixTransform(matrix: unknown): { x: number; y: number } };
  getScreenCTM(): unknown;
}

/** The full page as PNG, kept under reports/browser/ to look at; checked to be a real, non-empty PNG. */
async function screenshot({ page }: OpenedPage, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, name), png);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.length).toBeGreaterThan(10_000);
}

/** An attribute of every element the selector finds, in document order. */
const texts = async ({ page }: OpenedPage, selector: string, attribute: string) =>
  Promise.all((await page.locator(selector).all()).map((element) => element.getAttribute(attribute)));

describe.skipIf(missing !== null)('--report, opened in Chromium', () => {
  afterAll(closeBrowser);

  it('a failed deploy: every service in the graph and the timeline, statuses, the critical path, e2e cases', async () => {
    const repo = reportRepo();
    const { exitCode, summary, stderr } = await deploy(repo, ['--report', 'reports/shipgraph.html']);
    expect(exitCode).toBe(1);
    expect(statusOf(summary)).toEqual({
      api: 'deployed',
      cron: 'deployed',
      db: 'deployed',
      notifier: 'blocked',
      web: 'deployed',
      worker: 'failed',
    });
    expect(stderr).toContain('report: reports/shipgraph.html');
    // Written through a temporary file that was renamed: nothing else is left beside it.
    expect(readdirSync(join(repo.dir, 'reports'))).toEqual(['shipgraph.html']);

    const opened = await openFile(join(repo.dir, 'reports/shipgraph.html'));
    const { page } = opened;
    const services = ['api', 'cron', 'db', 'notifier', 'web', 'worker'];
    for (const name of [...services, 'shared']) {
      await expect(page.locator(`svg.graph [data-name="${name}"] text`).first().textContent()).resolves.toBe(
        name,
      );
      expect(await page.locator(`svg.graph [data-name="${name}"]`).isVisible()).toBe(true);
    }
    const deployRow = (name: string) =>
      page.locator(`svg.gantt [data-service="${name}"][data-kind="deploy"]`);
    for (const name of services) {
      expect(await deployRow(name).isVisible()).toBe(true);
      await expect(deployRow(name).locator('tspan.service').textContent()).resolves.toBe(name);
    }
    expect(await deployRow('worker').getAttribute('class')).toContain('status-failed');
    expect(await deployRow('notifier').locator('.why').textContent()).toBe(
      'blocked: blocked by worker@us-east-1',
    );
    // The failed row of the results table says why, and where its log is.
    const failedRow = page.locator('table tr.status-failed', { hasText: 'worker' });
    expect(await failedRow.locator('.error').textContent()).toBe('node failed (exit code 1)');
    expect(await failedRow.locator('.log').textContent()).toBe(
      '.shipgraph/logs/staging/worker.us-east-1.log',
    );
    expect(await failedRow.locator('.log').isVisible()).toBe(true);
    // The e2e runs have rows of their own, at their real times: api's failed, web's passed.
    const e2eRow = (name: string) => page.locator(`svg.gantt [data-service="${name}"][data-kind="e2e"]`);
    expect(await e2eRow('api').getAttribute('class')).toContain('status-failed');
    expect(await e2eRow('web').getAttribute('class')).toContain('status-passed');
    await expect(e2eRow('web').locator('tspan.region').textContent()).resolves.toBe('us-east-1 e2e');

    // The chain marked is the one the actual times give: with these sleeps db → api → web, then web's e2e run.
    const deploysAndTests = [
      ...(summary?.results ?? []).map((result) => ({
        ...result,
        id: result.service,
        needs: NEEDS[result.service] ?? [],
      })),
      ...(summary?.e2e ?? []).map((result) => ({
        ...result,
        id: `${result.service} e2e`,
        needs: [result.service],
      })),
    ];
    const expected = criticalChain(deploysAndTests);
    expect(expected).toEqual(['db', 'api', 'web', 'web e2e']);
    expect(
      await Promise.all(
        (await page.locator('svg.gantt [data-critical="true"]').all()).map(
          async (row) => `${await row.getAttribute('data-service')} ${await row.getAttribute('data-kind')}`,
        ),
      ),
    ).toEqual(['db deploy', 'api deploy', 'web deploy', 'web e2e']);
    expect(await page.locator('.critical-path').textContent()).toContain(
      'db@us-east-1 → api@us-east-1 → web@us-east-1 → web@us-east-1 e2e',
    );

    // JUnit cases, their text shown as written: markup in a test's name stays text.
    expect(await page.getByText('api.e2e › creates an order <b>fast</b>').isVisible()).toBe(true);
    expect(await page.getByText('expected 200, got 500').isVisible()).toBe(true);
    expect(await page.locator('b').count()).toBe(0);
    expect(await page.getByText(summary?.head ?? 'no head').isVisible()).toBe(true);

    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    await screenshot(opened, 'deploy-report.png');
  });

  it('a plan of 16 services and 9 libraries: no edge passes through a box it does not join', async () => {
    const repo = commandRepo(PLATFORM_SERVICES, PLATFORM_LIBS);
    repo.commit();
    const result = await repo.run(['plan', '--report', 'graph.html']);
    expect(result.exitCode).toBe(0);

    const opened = await openFile(join(repo.dir, 'graph.html'));
    // Measured by Chromium as drawn: each box's rectangle, and points every pixel along each edge's path.
    const { boxes, edges } = await opened.page.locator('svg.graph').evaluate((svg: PageElement) => ({
      boxes: [...svg.querySelectorAll('g.node')].map((node) => {
        const rect = node.querySelector('rect')?.getBoundingClientRect();
        const { left = 0, top = 0, right = 0, bottom = 0 } = rect ?? {};
        return { name: node.getAttribute('data-name') ?? '', rect: { left, top, right, bottom } };
      }),
      edges: [...(svg.querySelectorAll('path.edge') as Iterable<PagePath>)].map((path) => {
        const matrix = path.getScreenCTM();
        const length = path.getTotalLength();
        const points = Array.from({ length: Math.ceil(length) + 1 }, (_, i) => {
          const point = path.getPointAtLength(Math.min(i, length)).matrixTransform(matrix);
          return [point.x, point.y] as const;
        });
        return { name: path.querySelector('title')?.textContent ?? '', points };
      }),
    }));
    const packages = { ...PLATFORM_LIBS, ...PLATFORM_SERVICES };
    expect(boxes.map((box) => box.name).sort()).toEqual(Object.keys(packages).sort());
    const links = Object.entries(packages).flatMap(([name, deps]) => deps.map((dep) => `${dep} → ${name}`));
    expect(edges.map((edge) => edge.name).sort()).toEqual(links.sort());

    const rectOf = new Map(boxes.map((box) => [box.name, box.rect]));
    const inside = ([x, y]: readonly [number, number], rect: Rect): boolean =>
      x > rect.left && x < rect.right && y > rect.top && y < rect.bottom;
    const through = edges.flatMap(({ name, points }) => {
      const [from = '', to = ''] = name.split(' → ');
      return boxes
        .filter((box) => box.name !== from && box.name !== to)
        .filter((box) => points.some((point) => inside(point, box.rect)))
        .map((box) => `${name} through ${box.name}`);
    });
    expect(through).toEqual([]);
    // Each edge joins its own boxes: it leaves its dependency's right side and ends at its dependent's left.
    for (const { name, points } of edges) {
      const [from, to] = name.split(' → ').map((end: string) => rectOf.get(end));
      const [start, end] = [points[0], points.at(-1)];
      expect(
        start && from && inside([start[0] - 1, start[1]], from),
        `${name} starts at its dependency`,
      ).toBe(true);
      expect(end && to && inside([end[0] + 3, end[1]], to), `${name} ends at its dependent`).toBe(true);
    }
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    await screenshot(opened, 'graph-report.png');
  });

  it('a wait for a free slot is drawn as a wait, not as a link to the dependency that ended long before', async () => {
    // One slot: a (quick) first, as it heads the longest chain; then b, slow, takes the slot while c,
    // which needs only a, waits for it.
    const repo = commandRepo({ a: [], b: [], c: ['a'] });
    repo.write({
      'deploy-behaviour.json': { a: { sleepMs: 100 }, b: { sleepMs: 1500 }, c: { sleepMs: 100 } },
    });
    repo.commit();
    const run = await deploy(repo, ['--concurrency', '1', '--skip-e2e', '--report', 'slots.html']);
    expect(run.exitCode, run.stderr).toBe(0);
    const opened = await openFile(join(repo.dir, 'slots.html'));
    const { page } = opened;
    expect(await texts(opened, 'svg.gantt [data-critical="true"]', 'data-service')).toEqual(['a', 'c']);
    const wait = page.locator('svg.gantt rect.slot-wait[data-waits="c@us-east-1"]');
    expect(await wait.count()).toBe(1);
    // It spans from a's end to c's start, on c's row; the link from a comes down at a's end.
    const span = async (selector: string) => {
      const found = page.locator(selector);
      const x = Number(await found.getAttribute('x'));
      return { from: x, to: x + Number(await found.getAttribute('width')) };
    };
    const [aBar, cBar, waited] = await Promise.all([
      span('svg.gantt [data-service="a"] rect.bar'),
      span('svg.gantt [data-service="c"] rect.bar'),
      span('svg.gantt rect.slot-wait'),
    ]);
    expect(waited.from).toBeCloseTo(aBar.to, 0);
    expect(waited.to).toBeCloseTo(cBar.from, 0);
    const link = (await page.locator('svg.gantt path.critical-link').getAttribute('d')) ?? '';
    const [x1, , x2] = link.replace(/[ML]/g, ' ').trim().split(/\s+/).map(Number);
    expect(x1).toBeCloseTo(x2 ?? NaN, 1);
    expect(await page.locator('.critical-path').textContent()).toMatch(
      /a@us-east-1\s+→\s+waited \d+\.\ds for a free slot, then\s+c@us-east-1/,
    );
    expect(opened.errors).toEqual([]);
    await screenshot(opened, 'slot-wait-report.png');
  });

  it('e2e on its own: the services tested highlighted, each test case', async () => {
    const repo = reportRepo();
    await repo.mark(repo.git('rev-parse', 'HEAD'));
    const result = await repo.run(['e2e', 'api', 'web', '--report', 'e2e.html']);
    expect(result.exitCode).toBe(1);

    const opened = await openFile(join(repo.dir, 'e2e.html'));
    expect(await texts(opened, 'svg.graph .node.highlight', 'data-name')).toEqual(['api', 'web']);
    expect(await opened.page.getByText('api.e2e › lists orders').isVisible()).toBe(true);
    expect(await opened.page.locator('h1 .outcome').textContent()).toBe('failed');
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
  });

  it('a plan: what deploys highlighted with its reasons, no timeline', async () => {
    const repo = reportRepo();
    await repo.mark(repo.git('rev-parse', 'HEAD'));
    repo.write({ 'libs/shared/src/index.js': "export const name = 'shared v2';\n" }).commit();
    const result = await repo.run(['plan', '--report', 'plan.html']);
    expect(result.exitCode).toBe(0);

    const opened = await openFile(join(repo.dir, 'plan.html'));
    expect(await texts(opened, 'svg.graph .node.highlight', 'data-name')).toEqual(['api', 'web']);
    const reasons = opened.page.locator('table li', { hasText: 'dependency shared' });
    expect(await reasons.count()).toBe(2);
    expect(await reasons.first().isVisible()).toBe(true);
    expect(await opened.page.locator('svg.gantt').count()).toBe(0);
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    await screenshot(opened, 'plan-report.png');
  });
});
