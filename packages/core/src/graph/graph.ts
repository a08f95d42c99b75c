// An indexed view of the workspace: lookups by name, edges both ways, a topological order.
import { ShipgraphError } from '../errors.js';
import { DEPLOY_TIME_SOURCES, type PackageName, type Workspace, type WorkspacePackage } from '../types.js';

export interface Graph {
  packages: Map<PackageName, WorkspacePackage>;
  /** name → the packages it depends on. */
  deps: Map<PackageName, PackageName[]>;
  /** name → the packages that depend on it. */
  dependents: Map<PackageName, PackageName[]>;
  /**
   * The same, by code edges only: what a package ships of others. An edge to a library, or one that is
   * also a code edge, is one; what a service reads of another at deploy time only is not.
   */
  codeDeps: Map<PackageName, PackageName[]>;
  codeDependents: Map<PackageName, PackageName[]>;
  /** name → the services whose outputs it reads at deploy time, and nothing of theirs besides. */
  deployTimeDeps: Map<PackageName, PackageName[]>;
  /** Every package, dependencies before dependents. */
  order: PackageName[];
}

export function buildGraph(workspace: Workspace): Graph {
  const packages = new Map<PackageName, WorkspacePackage>();
  for (const pkg of workspace.packages) packages.set(pkg.name, pkg);

  const deps = new Map<PackageName, PackageName[]>();
  const dependents = new Map<PackageName, PackageName[]>();
  const codeDeps = new Map<PackageName, PackageName[]>();
  const codeDependents = new Map<PackageName, PackageName[]>();
  const deployTimeDeps = new Map<PackageName, PackageName[]>();
  for (const name of packages.keys()) {
    dependents.set(name, []);
    codeDependents.set(name, []);
  }
  for (const pkg of packages.values()) {
    const unique = new Set<PackageName>();
    // An edge of both kinds is a code edge: the dependent ships the other's files all the same.
    const code = new Set<PackageName>();
    for (const edge of pkg.dependsOn) {
      if (edge.name === pkg.name) continue;
      unique.add(edge.name);
      const target = packages.get(edge.name);
      if (!DEPLOY_TIME_SOURCES.includes(edge.source) || target?.isService !== true) code.add(edge.name);
    }
    for (const dep of unique) {
      if (!packages.has(dep)) {
        throw new ShipgraphError(
          'E_UNKNOWN_DEPENDENCY',
          `${pkg.name} depends on ${dep}, which is not in the workspace`,
          {
            hint: `add ${dep} to the workspace or remove the dependency`,
          },
        );
      }
      dependents.get(dep)?.push(pkg.name);
      if (code.has(dep)) codeDependents.get(dep)?.push(pkg.name);
    }
    deps.set(pkg.name, [...unique]);
    codeDeps.set(pkg.name, [...code]);
    deployTimeDeps.set(
      pkg.name,
      [...unique].filter((dep) => !code.has(dep)),
    );
  }
  return {
    packages,
    deps,
    dependents,
    codeDeps,
    codeDependents,
    deployTimeDeps,
    order: topologicalOrder(packages, deps),
  };
}

/** Dependencies first. Throws E_CYCLE naming one cycle, e.g. `a → b → a`. */
function topologicalOrder(
  packages: Map<PackageName, WorkspacePackage>,
  deps: Map<PackageName, PackageName[]>,
): PackageName[] {
  const order: PackageName[] = [];
  const state = new Map<PackageName, 'visiting' | 'done'>();
  for (const root of packages.keys()) {
    if (state.has(root)) continue;
    // Iterative DFS so a deep chain of packages cannot overflow the stack.
    const stack: { name: PackageName; children: PackageName[]; next: number }[] = [
      { name: root, children: deps.get(root) ?? [], next: 0 },
    ];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) break;
      const child = frame.children[frame.next++];
      if (child === undefined) {
        state.set(frame.name, 'done');
        order.push(frame.name);
        stack.pop();
        continue;
      }
      const seen = state.get(child);
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.name === child);
        const cycle = [...stack.slice(from).map((f) => f.name), child];
        throw new ShipgraphError('E_CYCLE', `dependency cycle: ${cycle.join(' → ')}`, {
          hint: 'remove one of these dependencies (package.json, project.json or dependsOn in shipgraph.config.json)',
        });
      }
      if (seen === undefined) {
        state.set(child, 'visiting');
        stack.push({ name: child, children: deps.get(child) ?? [], next: 0 });
      }
    }
  }
  return order;
}

/**
 * For each package, the nearest services it depends on: through libraries, but not through
 * another service (that service already waits for its own).
 */
export function nearestServiceDeps(graph: Graph): Map<PackageName, PackageName[]> {
  const result = new Map<PackageName, PackageName[]>();
  for (const name of graph.order) {
    const found = new Set<PackageName>();
    for (const dep of graph.deps.get(name) ?? []) {
      if (graph.packages.get(dep)?.isService === true) found.add(dep);
      else for (const service of result.get(dep) ?? []) found.add(service);
    }
    result.set(name, [...found].sort());
  }
  return result;
}

/**
 * Names in dependency order, stable across runs: by depth in the graph (a package with no
 * dependencies is at depth 0), then by name. `reverse` puts dependents first.
 */
export function inDependencyOrder(
  graph: Graph,
  names: Iterable<PackageName>,
  reverse = false,
): PackageName[] {
  const depth = new Map<PackageName, number>();
  for (const name of graph.order) {
    depth.set(name, Math.max(-1, ...(graph.deps.get(name) ?? []).map((dep) => depth.get(dep) ?? 0)) + 1);
  }
  const sign = reverse ? -1 : 1;
  return [...names].sort((a, b) => sign * ((depth.get(a) ?? 0) - (depth.get(b) ?? 0)) || (a < b ? -1 : 1));
}

/** Every package reached from `from`, not counting `from` itself, along one direction of the edges. */
export function reachable(
  graph: Graph,
  from: Iterable<PackageName>,
  direction: 'deps' | 'dependents' | 'codeDeps' | 'codeDependents',
): Set<PackageName> {
  const edges = graph[direction];
  const seen = new Set<PackageName>();
  const stack = [...from].flatMap((name) => edges.get(name) ?? []);
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(edges.get(name) ?? []));
  }
  return seen;
}
