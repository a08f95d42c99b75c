// Where the service graph's boxes and edges go: one column per dependency depth, dependencies on the
// left. An edge that skips columns crosses each one in a lane, a slot between the boxes kept for the
// edges of one dependency that go that far, so no edge passes through a box it does not join: between
// columns there are no boxes, and in a column an edge keeps to its lane. The steps are the usual layered
// ones (lanes for long edges, barycentre ordering, placing), short enough here that the CLI needs no
// layout library.
import { buildGraph, type Graph, type PackageName, type Workspace } from '@shipgraph/core';

export const BOX_HEIGHT = 40;
const GAP_X = 56;
const GAP_Y = 14;
// Each ordering sweep keeps the order with the fewest crossings so far, so more sweeps can only help.
const SWEEPS = 12;
const PLACING_PASSES = 8;

export type Point = readonly [x: number, y: number];

export interface PlacedBox {
  name: PackageName;
  x: number;
  y: number;
  width: number;
}

export interface RoutedEdge {
  from: PackageName;
  to: PackageName;
  /** On its dependency's right side. */
  start: Point;
  /** The columns it crosses, left to right: its lane's height, and the column's left and right sides. */
  lanes: { y: number; left: number; right: number }[];
  /** On its dependent's left side. */
  end: Point;
}

export interface GraphLayout {
  boxes: PlacedBox[];
  edges: RoutedEdge[];
  width: number;
  height: number;
}

/** A box, or a lane; linked to the slots in the columns either side that edges join it to. */
interface Slot {
  name: PackageName | null;
  height: number;
  left: Slot[];
  right: Slot[];
  row: number;
  centre: number;
}

interface Route {
  from: PackageName;
  to: PackageName;
  /** The dependency's box, a lane in each column between, the dependent's box. */
  slots: Slot[];
}

export function layoutGraph(workspace: Workspace, widthOf: (name: PackageName) => number): GraphLayout {
  const graph = buildGraph(workspace);
  const depth = depths(graph);
  const columns: Slot[][] = [];
  const add = (column: number, name: PackageName | null): Slot => {
    const slot = { name, height: name === null ? 0 : BOX_HEIGHT, left: [], right: [], row: 0, centre: 0 };
    (columns[column] ??= []).push(slot);
    return slot;
  };
  const names = [...graph.order].sort();
  const boxes = new Map(names.map((name) => [name, add(depth(name), name)]));
  const lanes = new Map<string, Slot>();
  const lane = (from: PackageName, column: number): Slot => {
    const key = `${from}\u0000${column}`;
    const found = lanes.get(key) ?? add(column, null);
    lanes.set(key, found);
    return found;
  };
  const routes = names.flatMap((to) =>
    [...(graph.deps.get(to) ?? [])].sort().map((from): Route => {
      const crossed = Array.from({ length: depth(to) - depth(from) - 1 }, (_, i) =>
        lane(from, depth(from) + 1 + i),
      );
      const slots = [boxes.get(from), ...crossed, boxes.get(to)].filter((slot) => slot !== undefined);
      for (const [i, slot] of slots.entries()) link(slots[i - 1], slot);
      return { from, to, slots };
    }),
  );
  order(columns);
  place(columns);
  return measured(columns, boxes, routes, widthOf);
}

/** Each package's column: one right of its deepest dependency. */
function depths(graph: Graph): (name: PackageName) => number {
  const depth = new Map<PackageName, number>();
  for (const name of graph.order) {
    const deps = graph.deps.get(name) ?? [];
    depth.set(name, Math.max(-1, ...deps.map((dep) => depth.get(dep) ?? 0)) + 1);
  }
  return (name) => depth.get(name) ?? 0;
}

function link(left: Slot | undefined, right: Slot): void {
  if (left === undefined) return;
  if (!left.right.includes(right)) left.right.push(right);
  if (!right.left.includes(left)) right.left.push(left);
}

/**
 * Orders each column to keep crossings few: sweeps right and left, sorting each slot to the mean row
 * of its links on the side swept from (the barycentre heuristic), and keeps the best order seen.
 */
function order(columns: Slot[][]): void {
  const number = (): void => {
    for (const column of columns) column.forEach((slot, row) => (slot.row = row));
  };
  number();
  let best = columns.map((column) => [...column]);
  let fewest = crossings(columns);
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
    const rightward = sweep % 2 === 0;
    for (const column of rightward ? columns.slice(1) : columns.slice(0, -1).reverse()) {
      const mean = (slot: Slot): number => {
        const linked = rightward ? slot.left : slot.right;
        if (linked.length === 0) return slot.row;
        return linked.reduce((sum, other) => sum + other.row, 0) / linked.length;
      };
      column.sort((a, b) => mean(a) - mean(b) || a.row - b.row);
      column.forEach((slot, row) => (slot.row = row));
    }
    const now = crossings(columns);
    if (now < fewest) [fewest, best] = [now, columns.map((column) => [...column])];
  }
  best.forEach((column, i) => (columns[i] = column));
  number();
}

/** How many pairs of links between neighbouring columns cross. */
function crossings(columns: Slot[][]): number {
  let count = 0;
  for (const column of columns) {
    const links = column.flatMap((slot) => slot.right.map((right) => [slot.row, right.row] as const));
    for (const [i, [a1, b1]] of links.entries())
      for (const [a2, b2] of links.slice(i + 1)) if ((a1 - a2) * (b1 - b2) < 0) count++;
  }
  return count;
}

/**
 * Heights, in each column's order: passes that move each slot towards the mean height of what it is
 * linked to (so edges run as level as they can), as near as the order and the gaps allow.
 */
function place(columns: Slot[][]): void {
  for (const column of columns) pack(column, () => 0);
  for (let pass = 0; pass < PLACING_PASSES; pass++) {
    for (const column of pass % 2 === 0 ? columns : [...columns].reverse()) {
      pack(column, (slot) => {
        const linked = [...slot.left, ...slot.right];
        if (linked.length === 0) return slot.centre;
        return linked.reduce((sum, other) => sum + other.centre, 0) / linked.length;
      });
    }
  }
}

/**
 * Sets a column's centres as near the wanted ones as they can be (least squares) in its order, with
 * the gap between neighbours: pool-adjacent-violators on each centre less its least offset from the first.
 */
function pack(column: Slot[], wanted: (slot: Slot) => number): void {
  const offsets: number[] = [];
  column.forEach((slot, i) => {
    const above = column[i - 1];
    offsets.push(
      above === undefined ? 0 : (offsets[i - 1] ?? 0) + above.height / 2 + GAP_Y + slot.height / 2,
    );
  });
  const blocks: { sum: number; count: number }[] = [];
  const mean = ({ sum, count }: { sum: number; count: number }): number => sum / count;
  column.forEach((slot, i) => {
    let block = { sum: wanted(slot) - (offsets[i] ?? 0), count: 1 };
    // A block that would sit below the next one joins it: together they go where they want on average.
    for (let above = blocks.at(-1); above !== undefined && mean(above) > mean(block); above = blocks.at(-1)) {
      blocks.pop();
      block = { sum: above.sum + block.sum, count: above.count + block.count };
    }
    blocks.push(block);
  });
  const centres = blocks.flatMap((block) => Array<number>(block.count).fill(mean(block)));
  column.forEach((slot, i) => (slot.centre = (centres[i] ?? 0) + (offsets[i] ?? 0)));
}

/** Columns side by side, each as wide as its widest box; the whole moved so its top is at 0. */
function measured(
  columns: Slot[][],
  boxes: ReadonlyMap<PackageName, Slot>,
  routes: readonly Route[],
  widthOf: (name: PackageName) => number,
): GraphLayout {
  const widths = columns.map((column) =>
    Math.max(...column.map((slot) => (slot.name === null ? 0 : widthOf(slot.name)))),
  );
  const lefts = widths.map((_, i) => widths.slice(0, i).reduce((sum, width) => sum + width + GAP_X, 0));
  const columnOf = new Map(columns.flatMap((column, i) => column.map((slot) => [slot, i] as const)));
  const slots = columns.flat();
  const top = Math.min(...slots.map((slot) => slot.centre - slot.height / 2));
  const bottom = Math.max(...slots.map((slot) => slot.centre + slot.height / 2));
  const left = (slot: Slot): number => lefts[columnOf.get(slot) ?? 0] ?? 0;
  const right = (slot: Slot): number => left(slot) + (widths[columnOf.get(slot) ?? 0] ?? 0);
  const y = (slot: Slot): number => slot.centre - top;
  return {
    boxes: [...boxes].map(([name, slot]) => ({
      name,
      x: left(slot),
      y: y(slot) - BOX_HEIGHT / 2,
      width: right(slot) - left(slot),
    })),
    edges: routes.map(({ from, to, slots: [first, ...rest] }) => {
      const last = rest.at(-1);
      return {
        from,
        to,
        start: first === undefined ? [0, 0] : [right(first), y(first)],
        lanes: rest.slice(0, -1).map((lane) => ({ y: y(lane), left: left(lane), right: right(lane) })),
        end: last === undefined ? [0, 0] : [left(last), y(last)],
      };
    }),
    width: Math.max(0, ...widths.map((width, i) => (lefts[i] ?? 0) + width)),
    height: Math.max(bottom - top, 0),
  };
}
