// What a step of a service in a region works with, built here for every kind of step: the process
// environment (stage, region, commit, outputs and the stage's credentials) and the deployer's context.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitSha, PackageName } from '@shipgraph/core';
import type { StageAccess } from '../aws/access.js';
import {
  unresolvedDependencies,
  type DeployContext,
  type ResolvedDependencies,
} from '../deployers/contract.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import { fileSafe, outputVariables } from './outputs.js';
import type { StepTools } from './runner.js';

/** Where a step acts: a service at a commit, in a region of the stage, reached with the stage's access. */
export interface StepPlace {
  root: string;
  stage: string;
  region: string;
  service: PackageName;
  commit: CommitSha;
  access: StageAccess;
}

/** The kinds of step that run a service's tools. */
export type StepKind = 'deploy' | 'e2e' | 'remove' | 'rollback';

/** The SHIPGRAPH_* and AWS_* environment of one step's processes, with its outputs file written. */
export async function stepEnvironment(
  place: StepPlace,
  kind: StepKind,
  outputs: Record<PackageName, Record<string, string>>,
): Promise<Record<string, string>> {
  const dir = join(place.root, '.shipgraph', 'outputs', place.stage);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${fileSafe(place.service)}.${place.region}.${kind}.json`);
  await writeFile(file, JSON.stringify(outputs, null, 2) + '\n');
  return {
    SHIPGRAPH_STAGE: place.stage,
    SHIPGRAPH_REGION: place.region,
    SHIPGRAPH_COMMIT: place.commit,
    SHIPGRAPH_SERVICE: place.service,
    SHIPGRAPH_OUTPUTS_FILE: file,
    // The stage's role, when it has one: a process acts where shipgraph itself does.
    ...(await place.access.env()),
    AWS_REGION: place.region,
    AWS_DEFAULT_REGION: place.region,
    ...outputVariables(outputs),
  };
}

/** What a deployer is handed for one step: where, with which tools, and what it may read. */
export async function deployerContext(
  place: StepPlace,
  kind: Exclude<StepKind, 'e2e'>,
  setting: ServiceSettings,
  tools: StepTools,
  given: {
    dependencyOutputs?: Record<PackageName, Record<string, string>>;
    resolvedDependencies?: () => Promise<ResolvedDependencies>;
  } = {},
): Promise<DeployContext> {
  const dependencyOutputs = given.dependencyOutputs ?? {};
  return {
    ...place,
    dir: join(place.root, setting.dir),
    stackName: setting.stackName(place.region),
    dependencyOutputs,
    resolvedDependencies:
      given.resolvedDependencies ??
      unresolvedDependencies(`a ${kind === 'remove' ? 'removal' : kind} builds nothing`),
    env: await stepEnvironment(place, kind, dependencyOutputs),
    log: tools.log,
    track: tools.track,
    signal: tools.signal,
    requestToken: tools.requestToken,
  };
}
