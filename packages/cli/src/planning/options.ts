// Turns flags and the CI environment (CodeBuild's variables, STAGE, FORCE_DEPLOY_ALL) into plan options.
import { ShipgraphError } from '@shipgraph/core';
import { parseTrigger, type Trigger } from '../config/trigger.js';

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
  /** What started the build (CODEBUILD_WEBHOOK_TRIGGER). */
  trigger: Trigger;
  /** The stage asked for by --stage or STAGE, and which. */
  explicitStage: { value: string; from: string } | null;
  /** The branch a pull request goes into (CODEBUILD_WEBHOOK_BASE_REF), e.g. `refs/heads/main`. */
  pullRequestBase: string | null;
}

export function readEnvironment(flags: PlanFlags, env: NodeJS.ProcessEnv): RunEnvironment {
  return {
    headRef: flags.head ?? nonEmpty(env.CODEBUILD_RESOLVED_SOURCE_VERSION) ?? 'HEAD',
    force: flags.all === true || parseBoolean(env.FORCE_DEPLOY_ALL, 'FORCE_DEPLOY_ALL'),
    trigger: parseTrigger(env.CODEBUILD_WEBHOOK_TRIGGER),
    explicitStage:
      flags.stage !== undefined
        ? { value: flags.stage, from: '--stage' }
        : nonEmpty(env.STAGE) !== undefined
          ? { value: env.STAGE ?? '', from: 'STAGE' }
          : null,
    pullRequestBase: nonEmpty(env.CODEBUILD_WEBHOOK_BASE_REF) ?? null,
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
