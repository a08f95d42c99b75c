// The whole report page: facts, the service graph, the plan, the deploy timeline and the e2e tests,
// in one HTML file that needs nothing else to be read (no network, no scripts).
import {
  criticalSteps,
  e2eTaskId,
  taskId,
  type PackageName,
  type Plan,
  type Workspace,
} from '@shipgraph/core';
import type { ExecutedRun } from '../deploy/execute.js';
import type { E2eResult } from '../e2e/e2e-step.js';
import { describeReason } from '../render/reasons.js';
import type { RunFacts } from './facts.js';
import { ganttSvg, type TimelineRow } from './gantt-svg.js';
import { graphSvg, type NodeMark } from './graph-svg.js';
import { html, trusted, type Html } from './html.js';
import { e2eTable, factsList, planTable, resultsTable } from './sections.js';
import { STYLE } from './style.js';

export interface ReportData {
  facts: RunFacts;
  workspace: Workspace;
  plan: Plan | null;
  /** The deploys and e2e runs, when the command ran them. */
  run: ExecutedRun | null;
  e2e: readonly E2eResult[] | null;
  notes: readonly string[];
  /** The run ended with an error (printed on stderr) before it got to its end. */
  stoppedEarly: boolean;
}

// The Content-Security-Policy lets the page load nothing and run nothing, whatever it contains.
export function reportHtml(data: ReportData): string {
  const { facts, plan, run, e2e } = data;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>shipgraph ${facts.command} ${facts.stage} ${facts.head.slice(0, 12)}</title>
        <style>
          ${trusted(STYLE)}
        </style>
      </head>
      <body>
        <h1>shipgraph ${facts.command} <span class="outcome ${outcome(data)}">${outcome(data)}</span></h1>
        ${data.stoppedEarly ? html`<p class="error">The run stopped early with an error; the build log has it. What it did until then is below.</p>` : null}
        ${data.notes.map((note) => html`<p class="note">${note}</p>`)} ${factsList(facts, plan)}
        <h2>Service graph</h2>
        <p class="legend">
          <span class="key highlight">${e2e !== null && plan === null ? 'tested' : 'deploys'}</span
          ><span class="key service">service</span><span class="key library">library</span> Edges point from a
          package to what depends on it.
        </p>
        <div class="scroll">${graphSvg(data.workspace, marks(data))}</div>
        ${
          plan === null
            ? null
            : html`<h2>Plan</h2>
                ${planTable(plan)}`
        }
        ${run === null ? null : timeline(run)}
        ${
          e2e === null
            ? null
            : html`<h2>End-to-end tests</h2>
                ${e2eTable(e2e)}`
        }
      </body>
    </html> `;
  return page.text;
}

function timeline({ summary, tasks }: ExecutedRun): Html {
  if (summary.results.length === 0 && summary.e2e.length === 0)
    return html`<h2>Timeline</h2>
      <p class="note">Nothing deployed.</p>`;
  const rows = timelineRows(summary);
  const needs = new Map(tasks.map((task) => [task.id, task.needs]));
  const chain = criticalSteps(rows.map((row) => ({ ...row, needs: needs.get(row.id) ?? [] })));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const first = byId.get(chain[0]?.id ?? '')?.startedAt ?? 0;
  const last = byId.get(chain[chain.length - 1]?.id ?? '')?.endedAt ?? 0;
  const path =
    chain.length === 0
      ? html`<p class="note">No step ran, so there is no critical path.</p>`
      : html`<p class="critical-path">
          <strong>Critical path</strong> (${((last - first) / 1000).toFixed(1)}s, the deploys and e2e runs
          that decided when the run ended):
          ${chain.map(
            (step, i) =>
              html`${i === 0 ? '' : ' → '}${
                  step.waitedMs > 0
                    ? html`<span class="slot-wait-note"
                        >waited ${(step.waitedMs / 1000).toFixed(1)}s for a free slot, then</span
                      > `
                    : ''
                }<code>${step.id}</code>`,
          )}
        </p>`;
  const keys = ['deployed', 'unchanged', 'passed', 'failed', 'blocked', 'skipped'].map(
    (status) => html`<span class="key status-${status}">${status}</span>`,
  );
  return html`<h2>Timeline</h2>
    <p class="legend">${keys}<span class="key critical">critical path</span></p>
    ${path}
    <div class="scroll">${ganttSvg(rows, chain)}</div>
    ${resultsTable(summary.results)}`;
}

/** Every deploy, then every e2e run, as the timeline draws them. */
const timelineRows = (summary: ExecutedRun['summary']): TimelineRow[] => [
  ...summary.results.map((result) => ({
    ...result,
    id: taskId(result.service, result.region),
    kind: 'deploy' as const,
  })),
  ...summary.e2e.map((result) => ({
    ...result,
    id: e2eTaskId(result.service, result.region),
    kind: 'e2e' as const,
    error: result.detail,
  })),
];

function outcome({ run, e2e, stoppedEarly }: ReportData): string {
  if (stoppedEarly) return 'stopped';
  const summary = run?.summary ?? null;
  if (summary !== null)
    return summary.interrupted !== null ? 'interrupted' : summary.ok ? 'succeeded' : 'failed';
  if (e2e !== null) return e2e.some((result) => result.status === 'failed') ? 'failed' : 'succeeded';
  return 'planned';
}

// Worst first: a service's node shows the worst outcome over its regions.
const SEVERITY = ['failed', 'blocked', 'deployed', 'unchanged', 'skipped', 'passed'];

function marks({ workspace, plan, run, e2e }: ReportData): Map<PackageName, NodeMark> {
  const summary = run?.summary ?? null;
  const planned = new Map(plan?.services.map((service) => [service.name, service]));
  const outcomes = new Map<PackageName, string[]>();
  for (const result of [...(summary?.results ?? []), ...(plan === null ? (e2e ?? []) : [])])
    outcomes.set(result.service, [...(outcomes.get(result.service) ?? []), result.status]);
  return new Map(
    workspace.packages.map((pkg) => {
      const service = planned.get(pkg.name);
      const statuses = outcomes.get(pkg.name) ?? [];
      const status = SEVERITY.find((one) => statuses.includes(one)) ?? null;
      const reasons = service?.reasons.map(describeReason) ?? [];
      const kinds = [...new Set(service?.reasons.map((reason) => reason.kind))].join(', ');
      const highlight = plan === null ? statuses.length > 0 : service?.deploy === true;
      const idle = service !== undefined ? 'no change' : pkg.isService ? 'service' : 'library';
      const note = service?.deploy === true ? kinds : (status ?? idle);
      const tooltip = [pkg.name, ...reasons, ...(status === null ? [] : [status])].join('\n');
      return [pkg.name, { highlight, note, tooltip, status }];
    }),
  );
}
