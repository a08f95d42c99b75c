// What a CodeBuild webhook build is for: which stage it deploys to, or why it deploys nothing.
import picomatch from 'picomatch';
import { ShipgraphError } from '@shipgraph/core';
import type { ShipgraphConfig } from './config.js';

export type Trigger =
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'pr'; number: number }
  | { kind: 'manual' };

export interface Decision {
  /** null when nothing deploys (an unmapped branch, a pull request in test mode). */
  stage: string | null;
  action: 'deploy' | 'test-only' | 'skip';
  /** One line: what was decided and from what. */
  why: string;
  trigger: Trigger;
}

/** `branch/main`, `tag/v1.2.0`, `pr/12`; unset means a build started by hand. */
export function parseTrigger(value: string | undefined): Trigger {
  if (value === undefined || value === '') return { kind: 'manual' };
  const slash = value.indexOf('/');
  const kind = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (slash > 0 && rest !== '') {
    if (kind === 'branch' || kind === 'tag') return { kind, name: rest };
    if (kind === 'pr' && /^\d+$/.test(rest)) return { kind: 'pr', number: Number(rest) };
  }
  throw new ShipgraphError(
    'E_USAGE',
    `CODEBUILD_WEBHOOK_TRIGGER="${value}" is not a CodeBuild webhook trigger`,
    {
      hint: 'expected branch/<name>, tag/<name> or pr/<number> (CodeBuild sets it; unset it for a manual build)',
    },
  );
}

/**
 * `--stage` or STAGE pick the stage of a branch, tag or manual build; otherwise the config's
 * `triggers` map branches and tags to stages. Pull requests are tested, never deployed.
 */
export function decide(
  config: ShipgraphConfig,
  trigger: Trigger,
  event: string | undefined,
  explicitStage: { value: string; from: string } | null,
): Decision {
  const triggers = config.triggers;
  if (trigger.kind === 'pr') {
    return {
      stage: null,
      action: 'test-only',
      why: `pull request #${trigger.number}${event === undefined ? '' : ` (${event})`}: pull requests are tested, not deployed`,
      trigger,
    };
  }
  if (explicitStage !== null) {
    return {
      stage: explicitStage.value,
      action: 'deploy',
      why: `stage ${explicitStage.value} from ${explicitStage.from}`,
      trigger,
    };
  }
  if (trigger.kind === 'manual') {
    return {
      stage: config.defaultStage,
      action: 'deploy',
      why: `manual build: the default stage ${config.defaultStage}`,
      trigger,
    };
  }
  const table = trigger.kind === 'branch' ? triggers.branches : triggers.tags;
  const pattern = Object.keys(table).find(
    (key) => key === trigger.name || picomatch.isMatch(trigger.name, key),
  );
  if (pattern !== undefined) {
    const stage = table[pattern] ?? config.defaultStage;
    return {
      stage,
      action: 'deploy',
      why: `${trigger.kind} ${trigger.name} → stage ${stage} (triggers.${trigger.kind === 'branch' ? 'branches' : 'tags'}["${pattern}"])`,
      trigger,
    };
  }
  if (!triggers.configured) {
    return {
      stage: config.defaultStage,
      action: 'deploy',
      why: `${trigger.kind} ${trigger.name}: no triggers configured, the default stage ${config.defaultStage}`,
      trigger,
    };
  }
  return {
    stage: null,
    action: 'skip',
    why: `${trigger.kind} ${trigger.name} is not mapped to a stage in triggers: nothing deploys`,
    trigger,
  };
}
