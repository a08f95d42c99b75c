// Each service's resolved production dependencies at the checkout's commit, as one key, for deployers
// that build something from them (a dependencies layer).
import { createHash } from 'node:crypto';
import { buildGraph, reachable, type Graph, type PackageName, type RepoPath } from '@shipgraph/core';
import type { LockfileModel } from '@shipgraph/core/lockfile';
import type { ResolvedDependencies } from '../deployers/contract.js';
import { manifestsOf, type Checkout } from '../planning/checkout.js';

type ReadLockfile = { file: RepoPath; model: LockfileModel } | { file: RepoPath; why: string };

/**
 * The key of each service, computed when first asked: the lockfiles are parsed once, for the first
 * service that asks. A checkout that differs from its commit (`--allow-dirty`) may install other
 * versions than its committed lockfile says: then no service's dependencies are known.
 */
export function resolvedDependenciesOf(
  checkout: Checkout,
  dirty: boolean,
): (service: PackageName) => Promise<ResolvedDependencies> {
  const keys = new Map<PackageName, Promise<ResolvedDependencies>>();
  let read: Promise<{ graph: Graph; lockfiles: ReadLockfile[] }> | undefined;
  return (service) => {
    if (dirty) {
      return Promise.resolve({
        known: false,
        why: 'the checkout differs from its commit (--allow-dirty)',
      });
    }
    let key = keys.get(service);
    if (key === undefined) {
      read ??= readLockfiles(checkout).then((lockfiles) => ({
        graph: buildGraph(checkout.workspace),
        lockfiles,
      }));
      key = read.then(({ graph, lockfiles }) => keyOf(service, graph, lockfiles));
      keys.set(service, key);
    }
    return key;
  };
}

async function readLockfiles(checkout: Checkout): Promise<ReadLockfile[]> {
  const { lockfileReader, UnreadableLockfile } = await import('@shipgraph/core/lockfile');
  return Promise.all(
    checkout.lockfiles.map(async ({ file, text }): Promise<ReadLockfile> => {
      try {
        return { file, model: (await lockfileReader(file))(text ?? '', manifestsOf(checkout)) };
      } catch (error) {
        if (error instanceof UnreadableLockfile) return { file, why: `${file}: ${error.message}` };
        throw error;
      }
    }),
  );
}

/**
 * The service's production closure and those of the workspace packages it depends on: a lockfile
 * does not follow the links to them, but what they import is installed with the service.
 */
function keyOf(service: PackageName, graph: Graph, lockfiles: readonly ReadLockfile[]): ResolvedDependencies {
  if (lockfiles.length === 0) return { known: false, why: 'no lockfile at the repository root' };
  const packages = [service, ...reachable(graph, [service], 'deps')].sort();
  const hash = createHash('sha256');
  for (const lockfile of lockfiles) {
    if ('why' in lockfile) return { known: false, why: lockfile.why };
    const identities = new Set<string>();
    for (const name of packages) {
      const dir = graph.packages.get(name)?.dir;
      const closure = dir === undefined ? null : lockfile.model.closureOf(dir, 'production');
      if (closure === null) {
        const via = name === service ? '' : `, which ${service} depends on`;
        return { known: false, why: `${lockfile.file} does not list ${name}${via}` };
      }
      for (const identity of closure) identities.add(identity);
    }
    for (const identity of [...identities].sort()) hash.update(`${lockfile.file}\0${identity}\n`);
  }
  return { known: true, key: hash.digest('hex') };
}
