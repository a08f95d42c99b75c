// Adds to the workspace what its packages' files refer to outside themselves.
import type {
  ExternalInput,
  PackageName,
  RepoPath,
  UnfollowedReference,
  Workspace,
  WorkspacePackage,
} from '../types.js';

/**
 * What one package's files refer to: another package (by a reference into its folder), files
 * outside every package, the root lockfile, or nothing shipgraph counts (and why).
 */
export type FoundReference =
  | { from: PackageName; to: PackageName; via: string }
  | { from: PackageName; input: ExternalInput }
  | { from: PackageName; lockfile: RepoPath; via: string }
  | { from: PackageName; unfollowed: UnfollowedReference };

/**
 * A reference into another package is an edge (its changes, and its dependencies' changes, reach
 * the referrer, which deploys after it), unless the edge would close a cycle: then the package's
 * folder is an input instead, so its changes still reach the referrer. Files outside every package
 * are inputs; lockfile references and references not followed are kept for --explain.
 */
export function withReferences(workspace: Workspace, found: readonly FoundReference[]): Workspace {
  if (found.length === 0) return workspace;
  const byName = new Map(workspace.packages.map((pkg) => [pkg.name, pkg]));
  const deps = new Map(
    workspace.packages.map((pkg) => [pkg.name, new Set(pkg.dependsOn.map((edge) => edge.name))]),
  );
  const edges = new Map<PackageName, Map<PackageName, string>>();
  const inputs = new Map<PackageName, ExternalInput[]>();
  const lockfiles = new Map<PackageName, { file: RepoPath; via: string }[]>();
  const unfollowed = new Map<PackageName, UnfollowedReference[]>();
  const seen = new Set<string>();
  const addOnce = <T>(map: Map<PackageName, T[]>, name: PackageName, item: T): void => {
    const key = `${name}\0${JSON.stringify(item)}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = map.get(name);
    if (list === undefined) map.set(name, [item]);
    else list.push(item);
  };
  for (const reference of found) {
    if ('input' in reference) {
      addOnce(inputs, reference.from, reference.input);
      continue;
    }
    if ('lockfile' in reference) {
      addOnce(lockfiles, reference.from, { file: reference.lockfile, via: reference.via });
      continue;
    }
    if ('unfollowed' in reference) {
      addOnce(unfollowed, reference.from, reference.unfollowed);
      continue;
    }
    const { from, to, via } = reference;
    const declared = deps.get(from);
    if (declared === undefined || !byName.has(to) || declared.has(to)) continue;
    if (reaches(deps, to, from)) {
      addOnce(inputs, from, { path: byName.get(to)?.dir ?? '', match: 'tree', via });
      continue;
    }
    declared.add(to);
    const list = edges.get(from) ?? new Map<PackageName, string>();
    list.set(to, via);
    edges.set(from, list);
  }
  return {
    ...workspace,
    packages: workspace.packages.map((pkg): WorkspacePackage => {
      const added = [...(edges.get(pkg.name) ?? [])].map(([name, via]) => ({
        name,
        source: 'reference' as const,
        via,
      }));
      const external = inputs.get(pkg.name);
      const lockfileReferences = lockfiles.get(pkg.name);
      const unfollowedReferences = unfollowed.get(pkg.name);
      if (
        added.length === 0 &&
        external === undefined &&
        lockfileReferences === undefined &&
        unfollowedReferences === undefined
      )
        return pkg;
      return {
        ...pkg,
        dependsOn: [...pkg.dependsOn, ...added].sort((a, b) =>
          a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
        ),
        ...(external === undefined ? {} : { externalInputs: [...(pkg.externalInputs ?? []), ...external] }),
        ...(lockfileReferences === undefined ? {} : { lockfileReferences }),
        ...(unfollowedReferences === undefined ? {} : { unfollowedReferences }),
      };
    }),
  };
}

/** Whether `from` depends on `to`, directly or not: an edge from `to` to `from` would close a circle. */
export function reaches(
  deps: ReadonlyMap<PackageName, ReadonlySet<PackageName>>,
  from: PackageName,
  to: PackageName,
): boolean {
  const seen = new Set<PackageName>([from]);
  const stack = [from];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (name === to) return true;
    for (const next of deps.get(name) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}
