// Turns flags and the CI environment (CodeBuild's variables, STAGE, FORCE_DEPLOY_ALL) into plan options.
import { ShipgraphError } from '@shipgraph/core';

export interface PlanFlags {
  stage?: string | undefined;
  base?: string | undefined;
  head?: string | undefined;
  all?: boolean | undefined;
  only?: string[] | undefined;
  exclude?: string[] | undefined;
}

export interface RunEnvironment {
  headRef: string;
  force: boolean;
  /** The webhook trigger when the build is for a pull request, e.g. `pr/12`. */
  pullRequest: string | null;
}

export function readEnvironment(flags: PlanFlags, env: NodeJS.ProcessEnv): RunEnvironment {
  return {
    headRef: flags.head ?? nonEmpty(env.CODEBUILD_RESOLVED_SOURCE_VERSION) ?? 'HEAD',
    force: flags.all === true || parseBoolean(env.FORCE_DEPLOY_ALL, 'FORCE_DEPLOY_ALL'),
    pullRequest:
      env.CODEBUILD_WEBHOOK_TRIGGER?.startsWith('pr/') === true ? env.CODEBUILD_WEBHOOK_TRIGGER : null,
  };
}

/** Splits `--only a,b --only c` into names. */
export const nameList = (values: readonly string[] | undefined): string[] =>
  (values ?? [])
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

function parseBoolean(value: string | undefined, name: string): boolean {
  const normalised = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(normalised)) return false;
  if (['1', 'true', 'yes'].includes(normalised)) return true;
  throw new ShipgraphError('E_USAGE', `${name}="${value ?? ''}" is not a boolean`, {
    hint: `set ${name} to true or 1 (or false, 0, or leave it unset)`,
  });
}
