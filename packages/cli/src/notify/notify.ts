// Tells a team's chat (a Slack-compatible incoming webhook) when a stage starts failing, is fixed, or (if asked) deployed.
import type { StageState } from '@shipgraph/core';
import type { DeploySummary } from '../deploy/summary.js';

export type Occasion = 'failed' | 'fixed' | 'deployed' | null;

/** Only a change of outcome is news, unless the stage wants every deploy (prod). */
export function occasion(
  summary: DeploySummary,
  previous: StageState['lastRun'],
  notify: 'changes' | 'always',
): Occasion {
  if (!summary.ok && previous?.ok !== false) return 'failed';
  if (summary.ok && previous?.ok === false) return 'fixed';
  const deployed = summary.results.some((result) => result.status === 'deployed');
  if (notify === 'always' && deployed) return summary.ok ? 'deployed' : 'failed';
  return null;
}

export function message(
  summary: DeploySummary,
  what: NonNullable<Occasion>,
  buildUrl: string | undefined,
): string {
  const names = (status: string) => [
    ...new Set(summary.results.filter((result) => result.status === status).map((result) => result.service)),
  ];
  const e2eFailed = [
    ...new Set(summary.e2e.filter((result) => result.status === 'failed').map((result) => result.service)),
  ];
  const headline = {
    failed: `:x: Deploy to ${summary.stage} failed`,
    fixed: `:white_check_mark: Deploys to ${summary.stage} are fixed`,
    deployed: `:rocket: Deployed to ${summary.stage}`,
  }[what];
  const lines = [`${headline} at ${summary.head.slice(0, 12)}`];
  const list = (label: string, services: string[]) => {
    if (services.length > 0) lines.push(`${label}: ${services.join(', ')}`);
  };
  list('deployed', names('deployed'));
  list('failed', names('failed'));
  list('blocked', names('blocked'));
  list('e2e failed', e2eFailed);
  if (buildUrl !== undefined && buildUrl !== '') lines.push(`build: ${buildUrl}`);
  return lines.join('\n');
}

/** Posts `{ text }`; a failure to notify is reported, never fatal, and never shows the URL. */
export async function sendNotification(
  url: string,
  text: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) log(`notification not delivered: the webhook answered HTTP ${response.status}`);
  } catch (error) {
    log(`notification not delivered: ${error instanceof Error ? error.message : String(error)}`);
  }
}
