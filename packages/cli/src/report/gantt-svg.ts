// The run's timeline as inline SVG: one row per step (a deploy, or an e2e run, per service and region),
// a bar from its start to its end coloured by its outcome, and the critical path outlined and joined up.
import type { ChainStep } from '@shipgraph/core';
import { html, px, type Html } from './html.js';

/** A step of the run as the timeline draws it. */
export interface TimelineRow {
  /** The step's task id (`orders@eu-west-1`, `orders@eu-west-1 e2e`), as the critical path names it. */
  id: string;
  service: string;
  region: string;
  kind: 'deploy' | 'e2e';
  status: string;
  startedAt: number | null;
  endedAt: number | null;
  /** Why it failed or did not run. */
  error?: string | undefined;
}

const CHAR = 7.2;
const ROW = 26;
const BAR = 16;
const CHART = 640;
const AXIS = 22;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** A tick step of 1, 2 or 5 times a power of ten seconds (or whole minutes), about six ticks in all. */
function tickStep(spanMs: number): number {
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  return steps.find((step) => spanMs / step <= 6) ?? 900_000 * Math.ceil(spanMs / 900_000 / 6);
}

const clock = (ms: number): string =>
  ms < 60_000
    ? `${ms / 1000}s`
    : `${Math.floor(ms / 60_000)}m${String((ms % 60_000) / 1000).padStart(2, '0')}s`;

/** Rows in the order things started; what never ran (blocked, skipped) after, in plan order. */
export function ganttSvg(results: readonly TimelineRow[], critical: readonly ChainStep[]): Html {
  const ran = results
    .filter((result) => result.startedAt !== null && result.endedAt !== null)
    .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.service < b.service ? -1 : 1));
  const rows = [...ran, ...results.filter((result) => !ran.includes(result))];
  const start = Math.min(...ran.map((result) => result.startedAt ?? 0), ran.length === 0 ? 0 : Infinity);
  const span = Math.max(1, Math.max(...ran.map((result) => result.endedAt ?? 0), start) - start);
  const tag = (row: TimelineRow): string => (row.kind === 'e2e' ? ' e2e' : '');
  const label =
    Math.max(8, ...rows.map((row) => row.service.length + row.region.length + 1 + tag(row).length)) * CHAR +
    16;
  const x = (at: number): number => label + ((at - start) / span) * CHART;
  const y = (i: number): number => AXIS + i * ROW;
  const onPath = new Set(critical.map((step) => step.id));
  const step = tickStep(span);
  const ticks = Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => i * step).map(
    (at) =>
      html`<line
          class="tick"
          x1="${px(x(start + at))}"
          x2="${px(x(start + at))}"
          y1="${AXIS - 4}"
          y2="${px(y(rows.length))}"
        /><text class="axis" x="${px(x(start + at))}" y="12">${clock(at)}</text>`,
  );
  const bars = rows.map((row, i) => {
    const id = row.id;
    const name = html`<text x="0" y="${px(y(i) + ROW / 2 + 4)}"
      ><tspan class="service">${row.service}</tspan>
      <tspan class="region">${row.region}${tag(row)}</tspan></text
    >`;
    if (row.startedAt === null || row.endedAt === null) {
      const why =
        row.status === 'skipped' && row.kind === 'deploy'
          ? 'skipped: not in the plan'
          : `${row.status}: ${row.error ?? ''}`;
      return html`<g
        class="row not-run status-${row.status}"
        data-service="${row.service}"
        data-region="${row.region}"
        data-kind="${row.kind}"
        >${name}<text class="why" x="${px(label)}" y="${px(y(i) + ROW / 2 + 4)}">${why}</text></g
      >`;
    }
    const [left, right] = [x(row.startedAt), x(row.endedAt)];
    const critical = onPath.has(id) ? ' critical' : '';
    const tooltip = `${id} ${row.status} in ${seconds(row.endedAt - row.startedAt)}${row.error === undefined ? '' : `: ${row.error}`}`;
    return html`<g
      class="row status-${row.status}${critical}"
      data-service="${row.service}"
      data-region="${row.region}"
      data-kind="${row.kind}"
      ${onPath.has(id) ? html` data-critical="true"` : ''}
      >${name}<rect
        class="bar"
        x="${px(left)}"
        y="${px(y(i) + (ROW - BAR) / 2)}"
        width="${px(Math.max(2, right - left))}"
        height="${BAR}"
        ><title>${tooltip}</title></rect
      ><text class="duration" x="${px(Math.max(left + 2, right) + 6)}" y="${px(y(i) + ROW / 2 + 4)}"
        >${seconds(row.endedAt - row.startedAt)}${row.status === 'failed' ? ' failed' : ''}</text
      ></g
    >`;
  });
  // The chain: from each step's end, a line to the row of the step that waited for it, at that moment;
  // then, when the dependent did not start at once, the time it waited for a free slot on its own row.
  const index = new Map(rows.map((row, i) => [row.id, i]));
  const links = critical.slice(1).map((step, i) => {
    const [r1, r2] = [index.get(critical[i]?.id ?? '') ?? -1, index.get(step.id) ?? -1];
    const [from, to] = [rows[r1], rows[r2]];
    if (from?.endedAt == null || to?.startedAt == null) return null;
    const ready = step.waitedMs > 0 ? from.endedAt : to.startedAt;
    const link = html`<path
      class="critical-link"
      d="M${px(x(from.endedAt))} ${px(y(r1) + ROW / 2)} L${px(x(ready))} ${px(y(r2) + ROW / 2)}"
    />`;
    if (step.waitedMs === 0) return link;
    return html`${link}<rect
        class="slot-wait"
        data-waits="${step.id}"
        x="${px(x(ready))}"
        y="${px(y(r2) + (ROW - BAR) / 2 + BAR / 4)}"
        width="${px(Math.max(2, x(to.startedAt) - x(ready)))}"
        height="${BAR / 2}"
        ><title>
          ${step.id} was ready and waited ${seconds(step.waitedMs)} for a free slot (the concurrency cap)
        </title></rect
      >`;
  });
  const width = label + CHART + 90;
  const height = y(rows.length) + 4;
  return html`<svg
    class="gantt"
    role="img"
    aria-label="run timeline"
    width="${px(width)}"
    height="${px(height)}"
    viewBox="0 0 ${px(width)} ${px(height)}"
  >
    ${ticks}${bars}${links}
  </svg>`;
}
