// What a promotion does with each service: promote what the source proved, skip what the target
// already runs, refuse (saying why) what is untested, failed, unkept or would leave a dependency behind.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/graph.js';
import type { ServiceRecord, StageState, WorkspacePackage } from '../types.js';
import { planPromotion, promotionPlan } from './promotion.js';

const pkg = (name: string, isService: boolean, deps: string[] = []): WorkspacePackage => ({
  name,
  dir: `${isService ? 'services' : 'libs'}/${name}`,
  isService,
  dependsOn: deps.map((dep) => ({ name: dep, source: 'package.json' as const })),
});

// shared (library) ← orders ← web; billing alone.
const graph = buildGraph({
  sources: ['npm workspaces'],
  packages: [
    pkg('billing', true),
    pkg('orders', true, ['shared']),
    pkg('shared', false),
    pkg('web', true, ['orders']),
  ],
});

const proven = (commit: string, overrides: Partial<ServiceRecord> = {}): ServiceRecord => ({
  commit,
  fingerprint: `fp-${commit}`,
  deployedAt: '2026-12-01T10:00:00.000Z',
  regions: ['eu-west-1'],
  e2e: { status: 'passed', commit, at: '2026-12-01T10:05:00.000Z' },
  artifact: { uri: `s3://artifacts/staging/x/${commit}/`, sha256: `sha-${commit}` },
  ...overrides,
});

const stage = (name: string, services: Record<string, ServiceRecord> = {}): StageState => ({
  version: 1,
  stage: name,
  services,
});

const staging = stage('staging', { billing: proven('b1'), orders: proven('o1'), web: proven('w1') });
const actions = (promotion: ReturnType<typeof planPromotion>) =>
  Object.fromEntries(
    promotion.services.map((entry) => [
      entry.service,
      entry.action === 'refused' ? entry.refusal : entry.action,
    ]),
  );

describe('planPromotion', () => {
  it('promotes every proven service to an empty target, dependencies in earlier waves', () => {
    const promotion = planPromotion({ graph, from: staging, to: stage('prod'), only: null });
    expect(actions(promotion)).toEqual({ billing: 'promote', orders: 'promote', web: 'promote' });
    expect(promotion.batches).toEqual([['billing', 'orders'], ['web']]);
    expect(promotion.services.find((entry) => entry.service === 'web')).toMatchObject({
      commit: 'w1',
      artifact: { sha256: 'sha-w1' },
      dependsOn: ['orders'],
    });
  });

  it('promotes nothing the target already runs', () => {
    const prod = stage('prod', { billing: proven('b1'), orders: proven('o1'), web: proven('w1') });
    const promotion = planPromotion({ graph, from: staging, to: prod, only: null });
    expect(actions(promotion)).toEqual({ billing: 'unchanged', orders: 'unchanged', web: 'unchanged' });
    expect(promotion.batches).toEqual([]);
  });

  it('refuses a service whose e2e failed, and its dependents the target would run against an old version', () => {
    const failed = stage('staging', {
      ...staging.services,
      orders: proven('o2', { e2e: { status: 'failed', commit: 'o2', at: 'then' } }),
    });
    const promotion = planPromotion({ graph, from: failed, to: stage('prod'), only: null });
    expect(actions(promotion)).toEqual({
      billing: 'promote',
      orders: 'e2e-failed',
      web: 'dependency-left-behind',
    });
    expect(promotion.services.find((entry) => entry.service === 'web')).toMatchObject({
      why: 'it depends on orders, which cannot be promoted (its e2e tests failed in staging at o2)',
    });
    expect(promotion.batches).toEqual([['billing']]);
  });

  it('keeps a dependent the target already runs, even when its dependency is refused', () => {
    const failed = stage('staging', {
      ...staging.services,
      orders: proven('o2', { e2e: { status: 'failed', commit: 'o2', at: 'then' } }),
    });
    const prod = stage('prod', { orders: proven('o1'), web: proven('w1') });
    expect(actions(planPromotion({ graph, from: failed, to: prod, only: null }))).toEqual({
      billing: 'promote',
      orders: 'e2e-failed',
      web: 'unchanged',
    });
  });

  it('refuses what was never tested on what the source runs, never deployed there, kept no artifact, or is dirty', () => {
    const from = stage('staging', {
      billing: proven('b2', { e2e: { status: 'passed', commit: 'b1', at: 'then' } }),
      orders: proven('o1', { artifact: undefined }),
      web: proven('w1', { dirty: true }),
    });
    expect(actions(planPromotion({ graph, from, to: stage('prod'), only: null }))).toEqual({
      billing: 'untested',
      orders: 'no-artifact',
      web: 'dirty',
    });
    const untested = stage('staging', {
      billing: proven('b1', { e2e: { status: 'untested', commit: 'b1', at: 't' } }),
    });
    expect(
      actions(planPromotion({ graph, from: untested, to: stage('prod'), only: new Set(['billing']) })),
    ).toEqual({
      billing: 'untested',
    });
    expect(
      actions(planPromotion({ graph, from: stage('staging'), to: stage('prod'), only: new Set(['web']) })),
    ).toEqual({ web: 'not-deployed' });
  });

  it('refuses a service whose kept package is gone from the store, and its dependents', () => {
    const promotion = planPromotion({
      graph,
      from: staging,
      to: stage('prod'),
      only: null,
      gone: new Set(['orders']),
    });
    expect(actions(promotion)).toEqual({
      billing: 'promote',
      orders: 'no-artifact',
      web: 'dependency-left-behind',
    });
    expect(promotion.services.find((entry) => entry.service === 'orders')).toMatchObject({
      why: 'the package staging kept is gone from s3://artifacts/staging/x/o1/',
    });
  });

  it('with --only, refuses a service whose dependency the target runs at another version', () => {
    const only = new Set(['web']);
    const behind = planPromotion({ graph, from: staging, to: stage('prod', { orders: proven('o0') }), only });
    expect(behind.services).toEqual([
      {
        service: 'web',
        action: 'refused',
        refusal: 'dependency-left-behind',
        why: 'it depends on orders, which prod runs at another version and this promotion leaves out (promote orders too)',
      },
    ]);
    const current = planPromotion({
      graph,
      from: staging,
      to: stage('prod', { orders: proven('o1') }),
      only,
    });
    expect(current.services).toMatchObject([{ service: 'web', action: 'promote', dependsOn: [] }]);
    expect(current.batches).toEqual([['web']]);
  });
});

describe('promotionPlan', () => {
  it('is the plan of the promoted services only, each with its wave, its dependencies and the source fingerprint', () => {
    const failed = stage('staging', {
      ...staging.services,
      billing: proven('b2', { e2e: { status: 'failed', commit: 'b2', at: 'then' } }),
    });
    const promotion = planPromotion({ graph, from: failed, to: stage('prod'), only: null });
    const plan = promotionPlan(promotion, failed, 'head-sha', graph);
    expect(plan).toMatchObject({ version: 1, stage: 'prod', head: 'head-sha', skipped: null, orphans: [] });
    expect(plan.batches).toEqual([['orders'], ['web']]);
    expect(plan.services).toEqual([
      {
        name: 'orders',
        path: 'services/orders',
        deploy: true,
        batch: 0,
        base: null,
        dependsOn: [],
        fingerprint: 'fp-o1',
        reasons: [{ kind: 'promoted', detail: 'from staging at o1' }],
      },
      {
        name: 'web',
        path: 'services/web',
        deploy: true,
        batch: 1,
        base: null,
        dependsOn: ['orders'],
        fingerprint: 'fp-w1',
        reasons: [{ kind: 'promoted', detail: 'from staging at w1' }],
      },
    ]);
  });
});
