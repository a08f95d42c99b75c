// plan --format codebuild-batch / github-matrix: the generated graph against the plan, and the
// CodeBuild batch actually run (its builds' commands, in graph order) against DynamoDB state in moto.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commandRepo, deploy, statusOf } from './helpers/deploys.js';
import { BIN, type TestRepo } from './helpers/repo.js';

interface PlanJson {
  head: string;
  services: { name: string; deploy: boolean; dependsOn: string[] }[];
  batches: string[][];
}

interface BuildSpec {
  env: { variables: Record<string, string> };
  batch: {
    'build-graph': {
      identifier: string;
      env: { variables: Record<string, string> };
      'depend-on'?: string[];
    }[];
  };
  phases: { build: { commands: string[] } };
}

let tables = 0;

/** api ← worker ← report, api ← web, solo; DynamoDB state, everything deployed once. */
async function deployedRepo(): Promise<TestRepo> {
  const repo = commandRepo({ api: [], worker: ['api'], web: ['api'], report: ['worker'], solo: [] });
  const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
  const table = `shipgraph-fan-out-${process.pid}-${tables++}`;
  repo.write({ 'shipgraph.config.json': { ...config, state: { backend: 'dynamodb', table } } });
  repo.commit();
  await repo.run(['state', 'init']);
  expect((await deploy(repo)).exitCode).toBe(0);
  return repo;
}

async function batchFor(repo: TestRepo): Promise<{ plan: PlanJson; spec: BuildSpec }> {
  const plan = (await repo.plan()) as unknown as PlanJson;
  const result = await repo.run(['plan', '--format', 'codebuild-batch']);
  expect(result.exitCode).toBe(0);
  return { plan, spec: parse(result.stdout) as BuildSpec };
}

/** What deploying service waits for what, per the plan, looking through services that do not deploy. */
function expectedEdges(plan: PlanJson): Map<string, string[]> {
  const byName = new Map(plan.services.map((service) => [service.name, service]));
  const reach = (name: string): string[] =>
    (byName.get(name)?.dependsOn ?? []).flatMap((dep) =>
      byName.get(dep)?.deploy === true ? [dep] : reach(dep),
    );
  return new Map(
    plan.services
      .filter((service) => service.deploy)
      .map((service) => [service.name, [...new Set(reach(service.name))].sort()]),
  );
}

/**
 * Runs a batch the way CodeBuild does: a build starts when the builds it depends on have succeeded,
 * with the batch's and its own variables, running the build phase's commands in a shell. `npx
 * shipgraph` is this checkout's binary. Returns when each build ran.
 */
async function runBatch(repo: TestRepo, spec: BuildSpec, head: string) {
  const times = new Map<string, { start: number; end: number; exitCode: number }>();
  const done = new Map<string, Promise<number>>();
  const run = (identifier: string): Promise<number> => {
    let started = done.get(identifier);
    if (started !== undefined) return started;
    const build = spec.batch['build-graph'].find((entry) => entry.identifier === identifier);
    if (build === undefined) throw new Error(`no build ${identifier}`);
    started = (async () => {
      const deps = await Promise.all((build['depend-on'] ?? []).map(run));
      if (deps.some((code) => code !== 0)) return -1;
      const start = Date.now();
      let exitCode = 0;
      for (const command of spec.phases.build.commands) {
        const result = await execa('sh', ['-c', command.replace('npx shipgraph', `node ${BIN}`)], {
          cwd: repo.dir,
          reject: false,
          env: {
            ...spec.env.variables,
            ...build.env.variables,
            CODEBUILD_RESOLVED_SOURCE_VERSION: head,
            CODEBUILD_WEBHOOK_TRIGGER: '',
          },
        });
        exitCode = result.exitCode ?? 1;
        if (exitCode !== 0) break;
      }
      times.set(identifier, { start, end: Date.now(), exitCode });
      return exitCode;
    })();
    done.set(identifier, started);
    return started;
  };
  await Promise.all(spec.batch['build-graph'].map((build) => run(build.identifier)));
  return times;
}

describe('fan-out over many builds', () => {
  it('codebuild-batch: one build per deploying service, depending on exactly what the plan says', async () => {
    const repo = await deployedRepo();
    repo.write({ 'services/api/src/index.js': 'export const v = 2;\n' });
    repo.commit('change api');
    const { plan, spec } = await batchFor(repo);
    const graph = spec.batch['build-graph'];
    const serviceOf = new Map(
      graph.map((build) => [build.identifier, build.env.variables.SHIPGRAPH_SERVICE]),
    );
    expect(graph.map((build) => build.env.variables.SHIPGRAPH_SERVICE).sort()).toEqual([
      'api',
      'report',
      'web',
      'worker',
    ]);
    expect(new Set(graph.map((build) => build.identifier)).size).toBe(graph.length);
    const edges = new Map(
      graph.map((build) => [
        build.env.variables.SHIPGRAPH_SERVICE,
        (build['depend-on'] ?? []).map((id) => serviceOf.get(id)).sort(),
      ]),
    );
    expect(edges).toEqual(expectedEdges(plan));
    expect(Object.fromEntries(edges)).toEqual({ api: [], report: ['worker'], web: ['api'], worker: ['api'] });
    expect(spec.env.variables).toEqual({ STAGE: 'staging', SHIPGRAPH_HEAD: plan.head });
  });

  it('running the batch deploys every planned service after its dependencies, the independent ones at once', async () => {
    const repo = await deployedRepo();
    // Long enough that worker and web surely overlap if nothing serialises them.
    repo.write({
      'deploy-behaviour.json': { worker: { sleepMs: 1500 }, web: { sleepMs: 1500 } },
      'services/api/src/index.js': 'export const v = 2;\n',
    });
    const head = repo.commit('change api');
    const { spec } = await batchFor(repo);
    const times = await runBatch(repo, spec, head);
    const of = (service: string) => {
      const found = times.get(service);
      if (found === undefined) throw new Error(`${service} did not build`);
      return found;
    };
    expect([...times.values()].map((time) => time.exitCode)).toEqual([0, 0, 0, 0]);
    expect(of('worker').start).toBeGreaterThanOrEqual(of('api').end);
    expect(of('report').start).toBeGreaterThanOrEqual(of('worker').end);
    // The per-service locks let two builds of one stage deploy side by side.
    expect(Math.max(of('worker').start, of('web').start)).toBeLessThan(
      Math.min(of('worker').end, of('web').end),
    );
    expect(statusOf((await deploy(repo)).summary)).toEqual({
      api: 'skipped',
      report: 'skipped',
      solo: 'skipped',
      web: 'skipped',
      worker: 'skipped',
    });
  });

  it('a build started at another commit refuses to deploy', async () => {
    const repo = await deployedRepo();
    repo.write({ 'services/solo/src/index.js': 'export const v = 2;\n' });
    const planned = repo.commit('change solo');
    const { spec } = await batchFor(repo);
    repo.write({ 'services/solo/src/index.js': 'export const v = 3;\n' });
    const later = repo.commit('change solo again');
    const times = await runBatch(repo, spec, later);
    expect([...times.values()].map((time) => time.exitCode)).toEqual([1]);
    expect(planned).not.toBe(later);
  });

  it('github-matrix: one matrix per batch, each service once, after what it depends on', async () => {
    const repo = await deployedRepo();
    repo.write({ 'services/api/src/index.js': 'export const v = 2;\n' });
    repo.commit('change api');
    const plan = (await repo.plan()) as unknown as PlanJson;
    const result = await repo.run(['plan', '--format', 'github-matrix']);
    const matrix = JSON.parse(result.stdout) as {
      count: number;
      batches: { include: { service: string; path: string }[] }[];
    };
    const order = matrix.batches.map((batch) => batch.include.map((entry) => entry.service));
    expect(order).toEqual(plan.batches);
    expect(order.flat().sort()).toEqual(['api', 'report', 'web', 'worker']);
    expect(matrix.count).toBe(4);
    const batchOf = new Map(order.flatMap((names, index) => names.map((name) => [name, index] as const)));
    for (const [service, deps] of expectedEdges(plan)) {
      for (const dep of deps) expect(batchOf.get(dep)).toBeLessThan(batchOf.get(service) ?? -1);
    }
    expect(matrix.batches[0]?.include).toEqual([{ service: 'api', path: 'services/api' }]);
  });
});
