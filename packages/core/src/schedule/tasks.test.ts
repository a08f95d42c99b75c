import { describe, expect, it } from 'vitest';
import type { Plan, PlannedService } from '../types.js';
import { deployTasks, deployingDependencies } from './tasks.js';

const service = (name: string, deploy: boolean, dependsOn: string[] = []): PlannedService => ({
  name,
  path: `services/${name}`,
  deploy,
  batch: null,
  base: null,
  dependsOn,
  fingerprint: null,
  reasons: [],
});

/** web → cache → api (cache is not deploying), report → web, solo alone and not deploying. */
const plan: Plan = {
  version: 1,
  stage: 'staging',
  head: 'f'.repeat(40),
  skipped: null,
  services: [
    service('api', true),
    service('cache', false, ['api']),
    service('report', true, ['web']),
    service('solo', false),
    service('web', true, ['cache']),
  ],
  batches: [['api'], ['web'], ['report']],
  orphans: [],
};

describe('deployingDependencies', () => {
  it('gives each deploying service the deploying services it waits for, through those that do not deploy', () => {
    expect(Object.fromEntries(deployingDependencies(plan))).toEqual({
      api: [],
      report: ['web'],
      web: ['api'],
    });
  });

  it('is what deploy tasks wait for, region by region', () => {
    expect(deployTasks(plan, ['eu-west-1', 'us-east-1']).map((task) => [task.id, task.needs])).toEqual([
      ['api@eu-west-1', []],
      ['api@us-east-1', []],
      ['report@eu-west-1', ['web@eu-west-1']],
      ['report@us-east-1', ['web@us-east-1']],
      ['web@eu-west-1', ['api@eu-west-1']],
      ['web@us-east-1', ['api@us-east-1']],
    ]);
  });
});
