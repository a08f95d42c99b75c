// What a service reads of other services' stacks at deploy time, found in its files' text: the
// SHIPGRAPH_OUTPUT_<SERVICE>_<KEY> variables shipgraph gives it, and the Serverless Framework's
// `${cf:<stack>.<Output>}`. Each is a deploy-time edge, unless a code edge names the service already.
import {
  reaches,
  type PackageName,
  type RepoPath,
  type Workspace,
  type WorkspacePackage,
} from '@shipgraph/core';
import picomatch from 'picomatch';

/** The grep patterns whose lines this reads (besides those of references out of folders). */
export const OUTPUT_PATTERNS = ['SHIPGRAPH_OUTPUT_', '${cf', 'service:'];

const SERVERLESS_FILE = /(?:^|\/)serverless\.(?:ya?ml|json|[cm]?[jt]s)$/;
const VARIABLE = /SHIPGRAPH_OUTPUT_[A-Z0-9_]+/g;
// `${cf:name.Output}` or `${cf(region):name.Output}`; the name may hold variables (`${sls:stage}`).
const CF = /\$\{cf(?:\([^)]*\))?:((?:[^${}.]|\$\{[^}]*\})+)\.[A-Za-z0-9]+\}/g;

/** One part of an output variable's name: upper case, runs of anything else as one `_`, none at the ends. */
const variablePart = (text: string): string =>
  text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** What every output variable of a service starts with: `SHIPGRAPH_OUTPUT_ORDERS_API_`. */
const variablePrefix = (service: PackageName): string =>
  `SHIPGRAPH_OUTPUT_${variablePart(service.replace(/^@[^/]+\//, ''))}_`;

/** `@acme/orders-api` + `TableName` → `SHIPGRAPH_OUTPUT_ORDERS_API_TABLENAME`: how a deploy reads an output. */
export function outputVariable(service: PackageName, key: string): string {
  return `${variablePrefix(service)}${variablePart(key)}`;
}

export function withOutputReads(workspace: Workspace, lines: ReadonlyMap<RepoPath, string[]>): Workspace {
  const services = workspace.packages.filter((pkg) => pkg.isService);
  if (services.length === 0 || lines.size === 0) return workspace;
  const byDir = new Map(workspace.packages.map((pkg) => [pkg.dir, pkg]));
  // The deepest package whose folder holds the path.
  const ownerOf = (path: RepoPath): WorkspacePackage | undefined => {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const found = byDir.get(path.slice(0, end));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  // The Serverless Framework's service names, from each service's own serverless file.
  const serverlessNames = new Map<PackageName, string>();
  for (const [path, found] of lines) {
    if (!SERVERLESS_FILE.test(path)) continue;
    const owner = ownerOf(path);
    const named = found.map((line) => /^service:\s*['"]?([\w-]+)/.exec(line)?.[1]).find(Boolean);
    if (owner !== undefined && named !== undefined) serverlessNames.set(owner.name, named);
  }
  const byVariable = services
    .map((service) => ({ service: service.name, part: variablePrefix(service.name) }))
    .sort((a, b) => b.part.length - a.part.length);
  const reads = new Map<PackageName, Set<PackageName>>();
  const add = (from: PackageName, to: PackageName): void => {
    if (from === to) return;
    const set = reads.get(from) ?? new Set<PackageName>();
    set.add(to);
    reads.set(from, set);
  };
  for (const [path, found] of lines) {
    const owner = ownerOf(path);
    if (owner?.isService !== true) continue;
    for (const line of found) {
      for (const match of line.matchAll(VARIABLE)) {
        const named = byVariable.find((entry) => match[0].startsWith(entry.part));
        if (named !== undefined) add(owner.name, named.service);
      }
      for (const match of line.matchAll(CF)) {
        // A stack name with variables (the stage) matches each service whose stack it can name.
        const stack = picomatch((match[1] ?? '').replace(/\$\{[^}]*\}/g, '*'));
        for (const [service, name] of serverlessNames)
          if (stack(`${name}-x`) || stack(name)) add(owner.name, service);
      }
    }
  }
  if (reads.size === 0) return workspace;
  // One deploys before the other: a read that would close a circle (each reading the other's outputs)
  // cannot be honoured, and is left out rather than made an error of a text match.
  const deps = new Map(
    workspace.packages.map((pkg) => [pkg.name, new Set(pkg.dependsOn.map((edge) => edge.name))]),
  );
  for (const [from, targets] of reads) {
    for (const to of [...targets]) {
      if (reaches(deps, to, from)) targets.delete(to);
      else deps.get(from)?.add(to);
    }
  }
  return {
    ...workspace,
    packages: workspace.packages.map((pkg) => {
      const named = new Set(pkg.dependsOn.map((edge) => edge.name));
      const added = [...(reads.get(pkg.name) ?? [])].filter((name) => !named.has(name)).sort();
      if (added.length === 0) return pkg;
      return {
        ...pkg,
        dependsOn: [...pkg.dependsOn, ...added.map((name) => ({ name, source: 'outputs' as const }))].sort(
          (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
        ),
      };
    }),
  };
}
