// Plans a run: which bases to compare, what changed since each, then the core's plan.
import type { StageAccess } from '../aws/access.js';
import { basesToCompare, plan, type CommitSha, type Plan, type StageState } from '@shipgraph/core';
import type { BuildEnvironment } from '../config/build-environment.js';
import type { Stage } from '../config/stage.js';
import type { Decision } from '../config/trigger.js';
import { CliError } from '../errors.js';
import type { Checkout } from './checkout.js';
import { compareBases } from './compare.js';
import { externalSignatures } from './signatures.js';

/** What a plan is asked for besides the run's commit and stage: checked flags. */
export interface PlanRequest {
  /** Compare every service with this ref instead of its recorded deploy. */
  base?: string | undefined;
  /** Consider only these services (names as given). */
  only?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  /** Ask CloudFormation which stacks exist: a service whose stack is missing deploys. */
  checkStacks: boolean;
}

/** What is planned: a checkout, for a stage, as the build asked (a run's context is one). */
export interface PlanTarget {
  checkout: Checkout;
  stage: Stage;
  build: BuildEnvironment;
  decision: Decision;
  /** How stacks are looked up in the stage's account. */
  access: StageAccess;
}

/** Plans the run against a state read by the caller (deploy reads it under the stage lock). */
export async function planRun(target: PlanTarget, state: StageState, request: PlanRequest): Promise<Plan> {
  const { build, checkout, stage, decision, access } = target;
  const baseOverride =
    request.base === undefined
      ? null
      : await (checkout.base?.ref === request.base
          ? checkout.base.commit
          : checkout.repo.resolveCommit(request.base));
  const skip = skippedBy(decision);
  const planOptions = {
    force: build.force,
    baseOverride,
    only: request.only ?? null,
    exclude: request.exclude ?? [],
    skip,
    unrecordedBase:
      decision.preview && skip === null && baseOverride === null && !build.force
        ? await pullRequestMergeBase(checkout, build.pullRequestBase)
        : null,
  };
  const bases = basesToCompare(checkout.workspace, state, planOptions);
  const [comparisons, missing] = await Promise.all([
    compareBases(checkout, bases),
    request.checkStacks
      ? // Loaded only to check stacks: reading stack names needs a YAML parser that plans rarely do.
        import('./service-settings.js').then(async ({ missingStacks, serviceSettings }) =>
          missingStacks(access, await serviceSettings(checkout, stage.name), stage.regions),
        )
      : undefined,
  ]);
  return plan({
    workspace: checkout.workspace,
    config: checkout.config.planner,
    stage: stage.name,
    head: checkout.head,
    headFiles: checkout.files,
    state,
    comparisons,
    options: planOptions,
    missingStacks: missing,
    externalSignature: await externalSignatures(checkout),
  });
}

/** How a plan says that this build deploys nothing. */
export function skippedBy(decision: Decision): Plan['skipped'] {
  const { trigger } = decision;
  const label =
    trigger.kind === 'manual'
      ? 'manual'
      : `${trigger.kind}/${trigger.kind === 'pr' ? trigger.number : trigger.name}`;
  if (decision.action === 'test-only') return { reason: 'pull-request', trigger: label };
  if (decision.action === 'skip') return { reason: 'no-stage', trigger: label };
  if (decision.action === 'teardown') return { reason: 'preview-teardown', trigger: label };
  return null;
}

/**
 * Where a pull request left its target branch: what a preview stage compares services it has never
 * deployed with. CodeBuild names the branch (CODEBUILD_WEBHOOK_BASE_REF); a clone has it as a
 * remote-tracking branch, or a local one.
 */
async function pullRequestMergeBase(checkout: Checkout, baseRef: string | null): Promise<CommitSha> {
  if (baseRef === null) {
    throw new CliError(
      'E_PREVIEW_BASE',
      'a preview stage needs the branch the pull request goes into, and CODEBUILD_WEBHOOK_BASE_REF is not set',
      { hint: 'set CODEBUILD_WEBHOOK_BASE_REF=refs/heads/<branch>, or pass --base <commit>' },
    );
  }
  const branch = baseRef.replace(/^refs\/heads\//, '');
  const candidates = [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`, baseRef];
  const found = await checkout.repo.firstCommitOf([...new Set(candidates)]);
  const mergeBase = found === null ? null : await checkout.repo.mergeBase(found.commit, checkout.head);
  if (mergeBase === null) {
    throw new CliError(
      'E_PREVIEW_BASE',
      `cannot find where the pull request branched from ${branch}: ${found === null ? `no ${candidates.slice(0, 2).join(' or ')} in this clone` : 'no common history in this clone'}`,
      {
        hint: 'clone with full history (GitCloneDepth: 0 on the preview project), or pass --base <commit>',
      },
    );
  }
  return mergeBase;
}
