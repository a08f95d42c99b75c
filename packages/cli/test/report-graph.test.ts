// The report's service graph on many seeded random workspaces, without a browser: read back from the
// SVG (each box's rectangle, each edge's path data), no edge passes through a box it does not join.
import type { Workspace } from '@shipgraph/core';
import { describe, expect, it } from 'vitest';
import { graphSvg, type NodeMark } from '../src/report/graph-svg.js';

interface Box {
  name: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** mulberry32: the same graphs on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 12 to 40 packages, each depending on up to four earlier ones, near or far (so edges skip columns). */
function randomWorkspace(seed: number): Workspace {
  const next = random(seed);
  const count = 12 + Math.floor(next() * 29);
  const names = Array.from({ length: count }, (_, i) => `pkg-${String(i).padStart(2, '0')}`);
  const packages = names.map((name, i) => {
    const deps = new Set<string>();
    for (let k = Math.floor(next() * 5); k > 0 && i > 0; k--) deps.add(names[Math.floor(next() * i)] ?? '');
    return {
      name,
      dir: `packages/${name}`,
      isService: next() < 0.6,
      dependsOn: [...deps].map((dep) => ({ name: dep, source: 'package.json' as const })),
    };
  });
  return { packages, sources: ['npm workspaces'] };
}

const number = (text: string | undefined): number => Number(text);

/** Every box's rectangle, from its group's translate and its rect's size. */
const boxesOf = (svg: string): Box[] =>
  [
    ...svg.matchAll(
      /<g\s+class="node[^"]*"\s+data-name="([^"]+)"\s+transform="translate\(([-\d.]+) ([-\d.]+)\)"[^]*?<rect width="([\d.]+)" height="([\d.]+)"/g,
    ),
  ].map(([, name = '', x, y, width, height]) => ({
    name,
    left: number(x),
    top: number(y),
    right: number(x) + number(width),
    bottom: number(y) + number(height),
  }));

/** Points along path data of absolute M, L and C commands: every line and curve sampled finely. */
function pointsOf(d: string): [number, number][] {
  const tokens = d.match(/[A-Za-z]|-?[\d.]+/g) ?? [];
  const points: [number, number][] = [];
  let at: [number, number] = [0, 0];
  for (let i = 0; i < tokens.length;) {
    const command = tokens[i++];
    const take = (n: number): number[] => tokens.slice(i, (i += n)).map(Number);
    if (command === 'M') at = take(2) as [number, number];
    else if (command === 'L') {
      const [x, y] = take(2) as [number, number];
      for (let t = 0; t <= 1; t += 1 / 64) points.push([at[0] + (x - at[0]) * t, at[1] + (y - at[1]) * t]);
      at = [x, y];
    } else if (command === 'C') {
      const [x1, y1, x2, y2, x, y] = take(6) as [number, number, number, number, number, number];
      for (let t = 0; t <= 1; t += 1 / 64) {
        const [a, b, c, e] = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
        points.push([a * at[0] + b * x1 + c * x2 + e * x, a * at[1] + b * y1 + c * y2 + e * y]);
      }
      at = [x, y];
    } else throw new Error(`path command ${command ?? '(none)'} is not read here: ${d}`);
  }
  return points;
}

const edgesOf = (svg: string): { from: string; to: string; points: [number, number][] }[] =>
  [...svg.matchAll(/<path\s+class="edge"\s+d="([^"]*)"\s*><title>([^<]*) → ([^<]*)<\/title>/g)].map(
    ([, d = '', from = '', to = '']) => ({ from, to, points: pointsOf(d) }),
  );

const mark: NodeMark = { highlight: false, note: 'service', tooltip: '', status: null };

describe('the report graph', () => {
  it('routes every edge of 60 random workspaces around the boxes it does not join', () => {
    const through: string[] = [];
    let drawn = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const workspace = randomWorkspace(seed);
      const svg = graphSvg(workspace, new Map(workspace.packages.map((pkg) => [pkg.name, mark]))).text;
      const boxes = boxesOf(svg);
      const edges = edgesOf(svg);
      expect(boxes.length).toBe(workspace.packages.length);
      expect(edges.length).toBe(workspace.packages.reduce((sum, pkg) => sum + pkg.dependsOn.length, 0));
      drawn += edges.length;
      for (const { from, to, points } of edges) {
        for (const box of boxes.filter((one) => one.name !== from && one.name !== to)) {
          const inside = points.some(
            ([x, y]) => x > box.left && x < box.right && y > box.top && y < box.bottom,
          );
          if (inside) through.push(`seed ${seed}: ${from} → ${to} through ${box.name}`);
        }
      }
    }
    expect(drawn).toBeGreaterThan(1000);
    expect(through).toEqual([]);
  });
});
