// The facts at the top of a report: what ran, for which stage and commits, why, when, with what.
import type { CommitSha, Plan } from '@shipgraph/core';
import type { Trigger } from '../config/trigger.js';
import type { RunContext } from '../run/context.js';
import { shipgraphVersion } from '../version.js';

export type ReportCommand = 'plan' | 'deploy' | 'e2e' | 'promote';

export interface RunFacts {
  command: ReportCommand;
  stage: string;
  regions: readonly string[];
  head: CommitSha;
  /** `branch/main`, `pr/12 (PULL_REQUEST_UPDATED)`, `manual`: what started the build. */
  trigger: string;
  /** What was decided from the trigger, as the run printed it first. */
  why: string;
  buildId: string | null;
  /** Linked only when it is an http(s) address. */
  buildUrl: string | null;
  /** When the report was made (ISO 8601). */
  at: string;
  version: string;
}

export function runFacts(command: ReportCommand, context: RunContext): RunFacts {
  const { build, checkout, decision, stage, io } = context;
  return {
    command,
    stage: stage.name,
    regions: stage.regions,
    head: checkout.head,
    trigger: `${label(decision.trigger)}${build.event === undefined ? '' : ` (${build.event})`}`,
    why: decision.why,
    buildId: io.env.CODEBUILD_BUILD_ID ?? null,
    buildUrl: /^https?:\/\//.test(io.env.CODEBUILD_BUILD_URL ?? '')
      ? (io.env.CODEBUILD_BUILD_URL ?? null)
      : null,
    at: io.now().toISOString(),
    version: shipgraphVersion(),
  };
}

const label = (trigger: Trigger): string =>
  trigger.kind === 'manual'
    ? 'manual'
    : `${trigger.kind}/${trigger.kind === 'pr' ? trigger.number : trigger.name}`;

/** Each service is compared with its own base: `a1b2c3d4e5f6 (3 services), none recorded (1)`. */
export function describeBases(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const service of plan.services) {
    const base = service.base === null ? 'none recorded' : service.base.slice(0, 12);
    counts.set(base, (counts.get(base) ?? 0) + 1);
  }
  if (counts.size === 0) return 'no services';
  return [...counts].map(([base, count]) => `${base} (${count} service${count === 1 ? '' : 's'})`).join(', ');
}
