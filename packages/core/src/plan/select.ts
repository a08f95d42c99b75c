// Resolves what a user typed for `--only` and `--exclude` to services: names, globs, folders, and
// Turborepo's `name...` (with its dependencies) and `...name` (with its dependents).
import picomatch from 'picomatch';
import { ShipgraphError } from '../errors.js';
import { reachable, type Graph } from '../graph/graph.js';
import type { PackageName, WorkspacePackage } from '../types.js';

/** One selector, parsed by Turborepo's rules: `...` before adds dependents, after adds dependencies, `^` leaves the match out. */
export interface Selector {
  typed: string;
  pattern: string;
  /** `./services/orders`, `{services/orders}`: a folder, never a name. */
  folderOnly: boolean;
  withDependencies: boolean;
  withDependents: boolean;
  withoutMatched: boolean;
}

export function parseSelector(typed: string): Selector {
  let pattern = typed.trim();
  const withDependencies = pattern.endsWith('...');
  if (withDependencies) pattern = pattern.slice(0, -3);
  const withDependents = pattern.startsWith('...');
  if (withDependents) pattern = pattern.slice(3);
  let withoutMatched = false;
  if (withDependencies && pattern.endsWith('^')) [pattern, withoutMatched] = [pattern.slice(0, -1), true];
  if (withDependents && pattern.startsWith('^')) [pattern, withoutMatched] = [pattern.slice(1), true];
  const braced = /^\{(.*)\}$/.exec(pattern)?.[1];
  const folderOnly = braced !== undefined || /^\.\.?(\/|$)/.test(pattern);
  if (braced !== undefined) pattern = braced;
  if (pattern === '') {
    throw new ShipgraphError('E_UNKNOWN_SERVICE', `"${typed}" names no service`, {
      hint: 'write a name, a glob or a folder, e.g. orders, @acme/orders-*, services/orders, orders...',
    });
  }
  return { typed, pattern, folderOnly, withDependencies, withDependents, withoutMatched };
}

const unscoped = (name: PackageName): string => name.replace(/^@[^/]+\//, '');
const folderOf = (path: string): string => path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

/** The packages (libraries too) a selector's pattern matches, before adding dependencies or dependents. */
function matched(selector: Selector, packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  const { pattern } = selector;
  if (!selector.folderOnly) {
    const exact = packages.filter((pkg) => pkg.name === pattern);
    if (exact.length > 0) return exact;
    if (picomatch.scan(pattern).isGlob) {
      const isMatch = picomatch(pattern, { dot: true });
      const byName = packages.filter(
        (pkg) => isMatch(pkg.name) || isMatch(unscoped(pkg.name)) || isMatch(pkg.dir),
      );
      if (byName.length > 0) return byName;
    }
    const short = packages.filter((pkg) => unscoped(pkg.name) === pattern);
    if (short.length > 1) {
      throw new ShipgraphError(
        'E_UNKNOWN_SERVICE',
        `"${pattern}" matches several packages: ${short.map((pkg) => pkg.name).join(', ')}`,
        { hint: 'use the full package name' },
      );
    }
    if (short.length === 1) return short;
  }
  const folder = folderOf(pattern);
  if (folder === '' || folder === '.') return [...packages];
  const isMatch = picomatch(folder, { dot: true });
  return packages.filter((pkg) => isMatch(pkg.dir) || pkg.dir.startsWith(`${folder}/`));
}

/** The services one selector stands for; a selector that reaches none is an error that says why. */
export function servicesSelectedBy(typed: string, graph: Graph): Set<PackageName> {
  const selector = parseSelector(typed);
  const packages = [...graph.packages.values()];
  const found = matched(selector, packages).map((pkg) => pkg.name);
  if (found.length === 0) {
    const known = packages.filter((pkg) => pkg.isService).map((pkg) => pkg.name);
    throw new ShipgraphError('E_UNKNOWN_SERVICE', `no service named "${typed}"`, {
      hint: `known services: ${known.join(', ') || '(none)'}`,
    });
  }
  const names = new Set<PackageName>(selector.withoutMatched ? [] : found);
  if (selector.withDependencies) for (const name of reachable(graph, found, 'deps')) names.add(name);
  if (selector.withDependents) for (const name of reachable(graph, found, 'dependents')) names.add(name);
  const services = new Set([...names].filter((name) => graph.packages.get(name)?.isService === true));
  if (services.size === 0) {
    const libraries = found.join(', ');
    throw new ShipgraphError('E_UNKNOWN_SERVICE', `"${typed}" selects no service, only ${libraries}`, {
      hint: `...${selector.pattern} selects the services that depend on it`,
    });
  }
  return services;
}

/** The services left after `--only` (null: all) and `--exclude`, in the graph's name order. */
export function selectServices(
  graph: Graph,
  only: readonly string[] | null,
  exclude: readonly string[],
): WorkspacePackage[] {
  const union = (selectors: readonly string[]): Set<PackageName> =>
    new Set(selectors.flatMap((typed) => [...servicesSelectedBy(typed, graph)]));
  const included = only === null ? null : union(only);
  const excluded = union(exclude);
  return [...graph.packages.values()]
    .filter((pkg) => pkg.isService)
    .filter((pkg) => (included === null || included.has(pkg.name)) && !excluded.has(pkg.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
