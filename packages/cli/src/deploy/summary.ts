// The end of a deploy run: one line per service and region, as a table or as JSON.
import type { CommitSha, PackageName } from '@shipgraph/core';
import type { E2eResult } from '../e2e/e2e-step.js';
import { columns } from '../render/columns.js';

/**
 * `deployed`: the deploy ran and changed something (or its deployer cannot tell); `unchanged`: it ran
 * and its tool found nothing to change; `skipped`: the plan did not deploy it.
 */
export type DeployStatus = 'deployed' | 'unchanged' | 'failed' | 'blocked' | 'skipped';

export interface DeployResult {
  service: PackageName;
  region: string;
  status: DeployStatus;
  /** Epoch milliseconds; null for what did not run. */
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  attempts: number;
  log: string | null;
  /** For a deploy that ran: whether it changed anything; null when its deployer cannot tell. */
  changed?: boolean | null;
  error?: string;
  /** Why a conditional deploy went ahead (the outputs that changed), or why the run did without it. */
  note?: string;
  outputs?: Record<string, string>;
}

export interface DeploySummary {
  version: 1;
  stage: string;
  head: CommitSha;
  ok: boolean;
  interrupted: string | null;
  results: DeployResult[];
  /** The e2e stage after the deploys; empty when skipped. */
  e2e: E2eResult[];
}

const HEADER = ['SERVICE', 'REGION', 'STATUS', 'TIME', 'LOG / ERROR'];

/** `shipgraph e2e`'s result: a row per service and region, then the totals. */
export function renderE2eResults(results: readonly E2eResult[], stage: string): string {
  const rows = results.map((result) => [
    result.service,
    result.region,
    result.status,
    seconds(result.durationMs),
    whyAndWhere(result.detail, result.log),
  ]);
  const count = (status: E2eResult['status']) => results.filter((result) => result.status === status).length;
  const totals = `e2e in stage ${stage}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`;
  return (
    [...columns(['SERVICE', 'REGION', 'STATUS', 'TIME', 'LOG / DETAIL'], rows), '', totals].join('\n') + '\n'
  );
}

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);

/** A row's last cell: why it failed or did not run, and where its log is, when it has either. */
export const whyAndWhere = (why: string | undefined, log: string | null): string =>
  why === undefined ? (log ?? '') : log === null ? why : `${why} (log: ${log})`;

export function renderSummary(summary: DeploySummary): string {
  const rows = [
    ...summary.results.map((result) => [
      result.service,
      result.region,
      result.status,
      seconds(result.durationMs),
      whyAndWhere(result.error ?? result.note, result.log),
    ]),
    ...summary.e2e.map((result) => [
      result.service,
      result.region,
      `e2e ${result.status}`,
      seconds(result.durationMs),
      whyAndWhere(result.detail, result.log),
    ]),
  ];
  const count = (status: DeployStatus) => summary.results.filter((result) => result.status === status).length;
  const e2eCount = (status: string) => summary.e2e.filter((result) => result.status === status).length;
  const totals = `${count('deployed')} deployed, ${count('unchanged')} unchanged, ${count('failed')} failed, ${count('blocked')} blocked, ${count('skipped')} skipped`;
  const e2e =
    summary.e2e.length === 0 ? '' : `; e2e ${e2eCount('passed')} passed, ${e2eCount('failed')} failed`;
  const ending = summary.interrupted === null ? '' : ` (interrupted by ${summary.interrupted})`;
  return (
    [
      ...columns(HEADER, rows),
      '',
      `stage ${summary.stage} at ${summary.head.slice(0, 12)}: ${totals}${e2e}${ending}`,
    ].join('\n') + '\n'
  );
}
