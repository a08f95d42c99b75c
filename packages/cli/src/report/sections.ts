// The report's tables: the run's facts, the plan, each deploy's outcome, the e2e tests.
import type { Plan } from '@shipgraph/core';
import type { DeployResult } from '../deploy/summary.js';
import type { E2eResult } from '../e2e/e2e-step.js';
import { deploysWord, describeReason } from '../render/reasons.js';
import { describeBases, type RunFacts } from './facts.js';
import { html, type Html } from './html.js';

const seconds = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)}s`);

export function factsList(facts: RunFacts, plan: Plan | null): Html {
  const fact = (term: string, value: Html | string) =>
    html`<dt>${term}</dt>
      <dd>${value}</dd>`;
  const build =
    facts.buildUrl === null
      ? (facts.buildId ?? 'not a CodeBuild build')
      : html`<a href="${facts.buildUrl}">${facts.buildId ?? facts.buildUrl}</a>`;
  return html`<dl class="facts">
    ${[
      fact('Stage', `${facts.stage} (${facts.regions.join(', ')})`),
      fact('Head', html`<code>${facts.head}</code>`),
      plan === null ? null : fact('Compared with', describeBases(plan)),
      fact('Trigger', facts.trigger),
      fact('Decided', facts.why),
      fact('Build', build),
      fact('Report made', facts.at),
      fact('shipgraph', facts.version),
    ]}
  </dl>`;
}

export function planTable(plan: Plan): Html {
  const rows = plan.services.map(
    (service) =>
      html`<tr class="${service.deploy ? 'deploys' : ''}">
        <td>${service.name}</td>
        <td>${deploysWord(service)}</td>
        <td>${service.batch ?? '–'}</td>
        <td>
          ${
            service.reasons.length === 0
              ? '–'
              : html`<ul>
                  ${service.reasons.map((reason) => html`<li>${describeReason(reason)}</li>`)}
                </ul>`
          }
        </td>
      </tr>`,
  );
  const skipped =
    plan.skipped === null
      ? null
      : html`<p class="note">Nothing deploys: ${plan.skipped.reason} (${plan.skipped.trigger}).</p>`;
  const orphans =
    plan.orphans.length === 0
      ? null
      : html`<p class="note">
          Orphans (recorded in ${plan.stage}, gone from the workspace): ${plan.orphans.join(', ')}
        </p>`;
  return html`${skipped}
    <table>
      <thead>
        <tr>
          <th>Service</th>
          <th>Deploys</th>
          <th>Batch</th>
          <th>Reasons</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${orphans}`;
}

export function resultsTable(results: readonly DeployResult[]): Html {
  const rows = results.map(
    (result) =>
      html`<tr class="status-${result.status}">
        <td>${result.service}</td>
        <td>${result.region}</td>
        <td><span class="badge">${result.status}</span></td>
        <td>${seconds(result.durationMs)}</td>
        <td>${result.attempts}</td>
        <td>${whyAndLog(result.error, result.log)}</td>
      </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th>Service</th>
        <th>Region</th>
        <th>Status</th>
        <th>Time</th>
        <th>Attempts</th>
        <th>Log / error</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** One row per service and region; below it, its tests when the e2e script wrote JUnit XML. */
export function e2eTable(results: readonly E2eResult[]): Html {
  if (results.length === 0) return html`<p class="note">No e2e tests ran.</p>`;
  const rows = results.map((result) => {
    const cases = (result.cases ?? []).map(
      (test) =>
        html`<tr class="case status-${test.status}">
          <td></td>
          <td colspan="2">${test.classname} › ${test.name}</td>
          <td><span class="badge">${test.status}</span></td>
          <td>${seconds(test.durationMs)}</td>
          <td>${test.message === undefined ? '' : html`<span class="error">${test.message}</span>`}</td>
        </tr>`,
    );
    const detail = whyAndLog(result.detail, result.log, result.status === 'failed');
    return html`<tr class="status-${result.status}">
        <td>${result.service}</td>
        <td colspan="2">${result.region}</td>
        <td><span class="badge">${result.status}</span></td>
        <td>${seconds(result.durationMs)}</td>
        <td>${detail}</td>
      </tr>
      ${cases}`;
  });
  return html`<table>
    <thead>
      <tr>
        <th>Service</th>
        <th colspan="2">Region / test</th>
        <th>Status</th>
        <th>Time</th>
        <th>Detail</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** Why a step failed or did not run (as an error when it failed) and where its log is. */
function whyAndLog(why: string | undefined, log: string | null, failed = why !== undefined): Html {
  const logged = log === null ? null : html`<span class="log">${log}</span>`;
  if (why === undefined) return html`${logged}`;
  const reason = failed ? html`<span class="error">${why}</span>` : html`${why}`;
  return logged === null ? reason : html`${reason}<br />${logged}`;
}
