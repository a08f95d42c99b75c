// The workspace graph as inline SVG: one column per dependency depth, dependencies on the left.
// Laid out here in ~60 lines because dagre, elk or mermaid would add megabytes to every report
// (or a network fetch at view time), and a plan's graph is layered already.
import { buildGraph, type PackageName, type Workspace } from '@shipgraph/core';
import { html, px, type Html } from './html.js';

/** How one package is drawn: highlighted (deploys, or is tested), its second line, its tooltip. */
export interface NodeMark {
  highlight: boolean;
  note: string;
  tooltip: string;
  /** The deploy's outcome, which colours the border; null when there was no deploy run. */
  status: string | null;
}

// Monospace labels: their width is known without a browser to measure them.
const CHAR = 7.2;
const HEIGHT = 40;
const GAP_Y = 14;
const GAP_X = 56;

/** Columns of packages: each one column right of its deepest dependency, ordered to keep edges short. */
export function layers(workspace: Workspace): PackageName[][] {
  const graph = buildGraph(workspace);
  const depth = new Map<PackageName, number>();
  for (const name of graph.order) {
    const deps = graph.deps.get(name) ?? [];
    depth.set(name, Math.max(-1, ...deps.map((dep) => depth.get(dep) ?? 0)) + 1);
  }
  const columns: PackageName[][] = [];
  for (const name of [...graph.order].sort()) (columns[depth.get(name) ?? 0] ??= []).push(name);
  // One sweep left to right: each package near the middle of its dependencies (fewer crossings).
  const row = new Map<PackageName, number>();
  for (const column of columns) {
    const centre = (name: PackageName): number => {
      const rows = (graph.deps.get(name) ?? []).map((dep) => row.get(dep) ?? 0);
      return rows.length === 0 ? Infinity : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    column.sort((a, b) => centre(a) - centre(b) || (a < b ? -1 : 1));
    column.forEach((name, i) => row.set(name, i));
  }
  return columns;
}

export function graphSvg(workspace: Workspace, marks: ReadonlyMap<PackageName, NodeMark>): Html {
  const columns = layers(workspace);
  const kinds = new Map(workspace.packages.map((pkg) => [pkg.name, pkg.isService]));
  const box = new Map<PackageName, { x: number; y: number; width: number }>();
  let x = 0;
  for (const column of columns) {
    const chars = Math.max(...column.map((name) => Math.max(name.length, marks.get(name)?.note.length ?? 0)));
    const width = chars * CHAR + 24;
    column.forEach((name, i) => box.set(name, { x, y: i * (HEIGHT + GAP_Y), width }));
    x += width + GAP_X;
  }
  const width = Math.max(x - GAP_X, 1);
  const height = Math.max(...columns.map((column) => column.length)) * (HEIGHT + GAP_Y) - GAP_Y;
  const edges = workspace.packages.flatMap((pkg) =>
    [...new Set(pkg.dependsOn.map((dep) => dep.name))].map((dep) => {
      const from = box.get(dep);
      const to = box.get(pkg.name);
      if (from === undefined || to === undefined || dep === pkg.name) return null;
      const [x1, y1, x2, y2] = [from.x + from.width, from.y + HEIGHT / 2, to.x, to.y + HEIGHT / 2];
      const bend = (x2 - x1) / 2;
      return html`<path
        class="edge"
        d="M${px(x1)} ${px(y1)} C${px(x1 + bend)} ${px(y1)} ${px(x2 - bend)} ${px(y2)} ${px(x2 - 2)} ${px(y2)}"
        ><title>${dep} → ${pkg.name}</title></path
      >`;
    }),
  );
  const nodes = [...box].map(([name, at]) => {
    const mark = marks.get(name);
    const kind = mark?.highlight === true ? 'highlight' : kinds.get(name) === true ? 'service' : 'library';
    const status = mark?.status == null ? '' : ` status-${mark.status}`;
    return html`<g
      class="node ${kind}${status}"
      data-name="${name}"
      transform="translate(${px(at.x)} ${px(at.y)})"
      ><title>${mark?.tooltip ?? name}</title
      ><rect width="${px(at.width)}" height="${HEIGHT}" rx="${kind === 'library' ? 14 : 4}" /><text
        x="12"
        y="17"
        >${name}</text
      ><text class="note" x="12" y="32">${mark?.note ?? ''}</text></g
    >`;
  });
  return html`<svg
    class="graph"
    role="img"
    aria-label="service graph"
    width="${px(width + 8)}"
    height="${px(height + 8)}"
    viewBox="-4 -4 ${px(width + 8)} ${px(height + 8)}"
  >
    <defs>
      <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
        <path d="M0 0L8 4L0 8z" fill="#64748b" />
      </marker>
    </defs>
    ${edges}${nodes}
  </svg>`;
}
