// What a CodeBuild webhook build is for: which stage it deploys to, or why it deploys nothing.
import picomatch from 'picomatch';
import type { ShipgraphConfig } from './config.js';
import { CliError } from '../errors.js';

export type Trigger =
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'pr'; number: number }
  | { kind: 'manual' };

export interface Decision {
  /** null when nothing deploys (an unmapped branch, a pull request in test mode). */
  stage: string | null;
  /** `teardown`: a merged or closed pull request's preview stage is removed. */
  action: 'deploy' | 'test-only' | 'skip' | 'teardown';
  /** A pull request's preview stage: services it has never deployed compare with the merge base. */
  preview: boolean;
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
  throw new CliError('E_ENV', `CODEBUILD_WEBHOOK_TRIGGER="${value}" is not a CodeBuild webhook trigger`, {
    hint: 'expected branch/<name>, tag/<name> or pr/<number> (CodeBuild sets it; unset it for a manual build)',
  });
}

/** The events of a pull request that deploy its preview stage, and those that remove it. */
const PREVIEW_EVENTS = new Set(['PULL_REQUEST_CREATED', 'PULL_REQUEST_UPDATED', 'PULL_REQUEST_REOPENED']);
const TEARDOWN_EVENTS = new Set(['PULL_REQUEST_MERGED', 'PULL_REQUEST_CLOSED']);

export const previewStage = (number: number): string => `pr-${number}`;

/**
 * `--stage` or STAGE pick the stage of a branch, tag or manual build; otherwise the config's
 * `triggers` map branches and tags to stages. Pull requests are tested only, or, with
 * `triggers.pullRequests: "preview"`, deployed to `pr-<number>` and removed when merged or closed.
 */
export function decide(
  config: ShipgraphConfig,
  trigger: Trigger,
  event: string | undefined,
  explicitStage: { value: string; from: string } | null,
): Decision {
  const triggers = config.triggers;
  if (trigger.kind === 'pr') return decidePullRequest(config, trigger, event);
  if (explicitStage !== null) {
    return {
      stage: explicitStage.value,
      action: 'deploy',
      preview: false,
      why: `stage ${explicitStage.value} from ${explicitStage.from}`,
      trigger,
    };
  }
  if (trigger.kind === 'manual') {
    return {
      stage: config.defaultStage,
      action: 'deploy',
      preview: false,
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
      preview: false,
      why: `${trigger.kind} ${trigger.name} → stage ${stage} (triggers.${trigger.kind === 'branch' ? 'branches' : 'tags'}["${pattern}"])`,
      trigger,
    };
  }
  if (!triggers.configured) {
    return {
      stage: config.defaultStage,
      action: 'deploy',
      preview: false,
      why: `${trigger.kind} ${trigger.name}: no triggers configured, the default stage ${config.defaultStage}`,
      trigger,
    };
  }
  return {
    stage: null,
    action: 'skip',
    preview: false,
    why: `${trigger.kind} ${trigger.name} is not mapped to a stage in triggers: nothing deploys`,
    trigger,
  };
}

function decidePullRequest(
  config: ShipgraphConfig,
  trigger: Extract<Trigger, { kind: 'pr' }>,
  event: string | undefined,
): Decision {
  const label = `pull request #${trigger.number}${event === undefined ? '' : ` (${event})`}`;
  if (config.triggers.pullRequests === 'test') {
    return {
      stage: null,
      action: 'test-only',
      preview: false,
      why: `${label}: pull requests are tested, not deployed`,
      trigger,
    };
  }
  const stage = previewStage(trigger.number);
  if (event !== undefined && TEARDOWN_EVENTS.has(event)) {
    return {
      stage,
      action: 'teardown',
      preview: true,
      why: `${label}: its preview stage ${stage} is removed (triggers.pullRequests: preview)`,
      trigger,
    };
  }
  // A build retried by hand carries no event; it deploys the preview like an update would.
  if (event === undefined || PREVIEW_EVENTS.has(event)) {
    return {
      stage,
      action: 'deploy',
      preview: true,
      why: `${label} → preview stage ${stage} (triggers.pullRequests: preview)`,
      trigger,
    };
  }
  throw new CliError(
    'E_ENV',
    `CODEBUILD_WEBHOOK_EVENT="${event}" is not a pull request event shipgraph knows`,
    {
      hint: `filter the webhook to ${[...PREVIEW_EVENTS, ...TEARDOWN_EVENTS].join(', ')}`,
    },
  );
}
