// Content fingerprints: a hash of a service's inputs and its dependencies' inputs at head.
import { createHash } from 'node:crypto';
import { InputIndex } from '../changes/inputs.js';
import { buildGraph, type Graph } from '../graph/graph.js';
import type { PackageName, PlannerConfig, RepoPath, Workspace } from '../types.js';

export interface HeadFile {
  path: RepoPath;
  /** The git blob id. */
  oid: string;
}

/** Computes fingerprints on demand; each package's own part is hashed once. */
export class Fingerprints {
  private byOwner: Map<PackageName, HeadFile[]> | null = null;
  private byReference: Map<PackageName, HeadFile[]> | null = null;
  private globalPart: string | null = null;
  private readonly own = new Map<PackageName, string>();

  constructor(
    private readonly graph: Graph,
    private readonly index: InputIndex,
    private readonly headFiles: readonly HeadFile[],
    /**
     * The resolved external dependencies of a package, as one string (from the lockfile); asked with
     * `''`, those of the repository root (the deploy tooling), which count for every service.
     */
    private readonly externalSignature: (name: PackageName) => string = () => '',
  ) {}

  of(service: PackageName): string {
    const hash = createHash('sha256');
    hash.update(this.globals());
    for (const name of this.closure(service)) hash.update(`${name}\0${this.ownHash(name)}\n`);
    return hash.digest('hex').slice(0, 32);
  }

  private closure(root: PackageName): PackageName[] {
    const seen = new Set<PackageName>([root]);
    const queue = [root];
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      // What it ships: the outputs it reads of other services at deploy time are not its content.
      for (const dep of this.graph.codeDeps.get(name) ?? []) {
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    return [...seen].sort();
  }

  private ownHash(name: PackageName): string {
    let digest = this.own.get(name);
    if (digest === undefined) {
      const lines: string[] = [];
      const dir = this.graph.packages.get(name)?.dir ?? '';
      for (const file of this.filesByOwner().get(name) ?? []) {
        if (this.index.isOwnInput(name, file.path.slice(dir.length + 1)))
          lines.push(`${file.path}\0${file.oid}\n`);
      }
      for (const file of this.filesByReference().get(name) ?? []) lines.push(`${file.path}\0${file.oid}\n`);
      if (this.index.packagesWithExtraInputs().includes(name)) {
        for (const file of this.headFiles) {
          if (this.index.isExtraInput(name, file.path)) lines.push(`${file.path}\0${file.oid}\n`);
        }
      }
      const hash = createHash('sha256');
      for (const line of lines.sort()) hash.update(line);
      hash.update(`externals\0${this.externalSignature(name)}`);
      digest = hash.digest('hex');
      this.own.set(name, digest);
    }
    return digest;
  }

  /** Head files grouped by owning package: one pass over the tree, input rules applied per package later. */
  private filesByOwner(): Map<PackageName, HeadFile[]> {
    this.byOwner ??= this.index.groupByOwner(this.headFiles);
    return this.byOwner;
  }

  /** Files outside every package, by the packages that refer to them: one pass over the tree. */
  private filesByReference(): Map<PackageName, HeadFile[]> {
    if (this.byReference === null) {
      this.byReference = new Map();
      if (this.index.hasExternalInputs()) {
        for (const file of this.headFiles) {
          for (const { name } of this.index.externalOwnersOf(file.path)) {
            const list = this.byReference.get(name);
            if (list === undefined) this.byReference.set(name, [file]);
            else if (list[list.length - 1] !== file) list.push(file);
          }
        }
      }
    }
    return this.byReference;
  }

  private globals(): string {
    this.globalPart ??=
      this.headFiles
        .filter((file) => this.index.isGlobal(file.path))
        .map((file) => `${file.path}\0${file.oid}\n`)
        .sort()
        .join('') + `root externals\0${this.externalSignature('')}\n`;
    return this.globalPart;
  }
}

/** Fingerprints for a workspace at one commit, outside a plan (e.g. `state mark`). */
export const fingerprintsOf = (
  workspace: Workspace,
  config: PlannerConfig,
  headFiles: readonly HeadFile[],
  externalSignature?: (name: PackageName) => string,
): Fingerprints =>
  new Fingerprints(buildGraph(workspace), new InputIndex(workspace, config), headFiles, externalSignature);
