// The workspace graph as inline SVG, laid out by graph-layout.ts when the report is written: the page
// holds only the drawing, and loads and runs nothing.
import type { PackageName, Workspace } from '@shipgraph/core';
import { BOX_HEIGHT, layoutGraph, type Point, type RoutedEdge } from './graph-layout.js';
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

export function graphSvg(workspace: Workspace, marks: ReadonlyMap<PackageName, NodeMark>): Html {
  const kinds = new Map(workspace.packages.map((pkg) => [pkg.name, pkg.isService]));
  const layout = layoutGraph(
    workspace,
    (name) => Math.max(name.length, marks.get(name)?.note.length ?? 0) * CHAR + 24,
  );
  const edges = layout.edges.map(
    (edge) => html`<path class="edge" d="${pathData(edge)}"><title>${edge.from} → ${edge.to}</title></path>`,
  );
  const nodes = layout.boxes.map((box) => {
    const mark = marks.get(box.name);
    const kind =
      mark?.highlight === true ? 'highlight' : kinds.get(box.name) === true ? 'service' : 'library';
    const status = mark?.status == null ? '' : ` status-${mark.status}`;
    return html`<g
      class="node ${kind}${status}"
      data-name="${box.name}"
      transform="translate(${px(box.x)} ${px(box.y)})"
      ><title>${mark?.tooltip ?? box.name}</title
      ><rect width="${px(box.width)}" height="${BOX_HEIGHT}" rx="${kind === 'library' ? 14 : 4}" /><text
        x="12"
        y="17"
        >${box.name}</text
      ><text class="note" x="12" y="32">${mark?.note ?? ''}</text></g
    >`;
  });
  const [width, height] = [Math.max(layout.width, 1), Math.max(layout.height, 1)];
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

/**
 * Between columns an S-curve, level at both ends, whose x only grows: it stays in the gap between the
 * columns. Through a column, a straight line along its lane. It stops 2px short for the arrowhead.
 */
function pathData({ start, lanes, end }: RoutedEdge): string {
  const curve = ([x1, y1]: Point, [x2, y2]: Point): string => {
    const bend = (x2 - x1) / 2;
    return ` C${px(x1 + bend)} ${px(y1)} ${px(x2 - bend)} ${px(y2)} ${px(x2)} ${px(y2)}`;
  };
  let d = `M${px(start[0])} ${px(start[1])}`;
  let at = start;
  for (const { y, left, right } of lanes) {
    d += `${curve(at, [left, y])} L${px(right)} ${px(y)}`;
    at = [right, y];
  }
  return d + curve(at, [end[0] - 2, end[1]]);
}
