// What a CI build says about the run (CodeBuild's variables, STAGE, FORCE_DEPLOY_ALL), read once.
import { CliError } from '../errors.js';
import { parseTrigger, type Trigger } from './trigger.js';

export interface BuildEnvironment {
  /** The commit to plan and deploy: --head, else CODEBUILD_RESOLVED_SOURCE_VERSION, else HEAD. */
  headRef: string;
  /** --all or FORCE_DEPLOY_ALL: every service deploys. */
  force: boolean;
  /** What started the build (CODEBUILD_WEBHOOK_TRIGGER). */
  trigger: Trigger;
  /** The pull request event (CODEBUILD_WEBHOOK_EVENT), if any. */
  event: string | undefined;
  /** The stage asked for by --stage or STAGE, and which. */
  explicitStage: { value: string; from: string } | null;
  /** The branch a pull request goes into (CODEBUILD_WEBHOOK_BASE_REF), e.g. `refs/heads/main`. */
  pullRequestBase: string | null;
}

export function readBuildEnvironment(
  flags: { stage?: string | undefined; head?: string | undefined; all?: boolean | undefined },
  env: NodeJS.ProcessEnv,
): BuildEnvironment {
  return {
    headRef: flags.head ?? nonEmpty(env.CODEBUILD_RESOLVED_SOURCE_VERSION) ?? 'HEAD',
    force: flags.all === true || parseBoolean(env.FORCE_DEPLOY_ALL, 'FORCE_DEPLOY_ALL'),
    trigger: parseTrigger(env.CODEBUILD_WEBHOOK_TRIGGER),
    event: nonEmpty(env.CODEBUILD_WEBHOOK_EVENT),
    explicitStage: explicitStage(flags, env),
    pullRequestBase: nonEmpty(env.CODEBUILD_WEBHOOK_BASE_REF) ?? null,
  };
}

/**
 * A command that is not a build step (state, unlock) ignores CodeBuild's variables: it works on
 * `--head` (or `--commit`), else HEAD, and the stage from --stage, else STAGE, else the default.
 */
export function readLocalEnvironment(
  flags: { stage?: string | undefined; head?: string | undefined },
  env: NodeJS.ProcessEnv,
): BuildEnvironment {
  return {
    headRef: flags.head ?? 'HEAD',
    force: false,
    trigger: { kind: 'manual' },
    event: undefined,
    explicitStage: explicitStage(flags, env),
    pullRequestBase: null,
  };
}

const explicitStage = (
  flags: { stage?: string | undefined },
  env: NodeJS.ProcessEnv,
): BuildEnvironment['explicitStage'] =>
  flags.stage !== undefined
    ? { value: flags.stage, from: '--stage' }
    : nonEmpty(env.STAGE) !== undefined
      ? { value: env.STAGE ?? '', from: 'STAGE' }
      : null;

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

function parseBoolean(value: string | undefined, name: string): boolean {
  const normalised = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(normalised)) return false;
  if (['1', 'true', 'yes'].includes(normalised)) return true;
  throw new CliError('E_ENV', `${name}="${value ?? ''}" is not a boolean`, {
    hint: `set ${name} to true or 1 (or false, 0, or leave it unset)`,
  });
}
