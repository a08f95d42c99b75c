// Collects what packages' files refer to outside their folder, and follows files outside every package to what they refer to in turn.
import picomatch from 'picomatch';
import { InputIndex } from '../changes/inputs.js';
import type { FoundReference } from '../graph/references.js';
import type { PackageName, PlannerConfig, RepoPath, Workspace } from '../types.js';
import { referencesInJson, referencesInTsconfig } from './json.js';
import { join, resolveReference, type Layout, type Resolution } from './resolve.js';
import { referencesInSourceLine } from './source.js';
import { HeadTree } from './tree.js';
import { referencesInYaml } from './yaml.js';
import { readWhole, referringKind, type ReferringKind, type WrittenReference } from './written.js';

/** The references in a file's text, read as its kind; `outward` keeps only paths that climb out of its folder. */
export function referencesIn(
  kind: ReferringKind,
  path: RepoPath,
  text: string,
  outward: boolean,
): WrittenReference[] {
  switch (kind) {
    case 'yaml':
      return referencesInYaml(text, outward);
    case 'json':
      return referencesInJson(text, outward);
    case 'tsconfig':
      return referencesInTsconfig(text, outward);
    case 'source': {
      const serverless = /(?:^|\/)serverless\.[cm]?[jt]s$/.test(path);
      return text.split('\n').flatMap((line) => referencesInSourceLine(line, outward, serverless));
    }
  }
}

interface Ignore {
  pattern: string;
  matches: (path: RepoPath) => boolean;
}

/**
 * What the packages of a workspace refer to outside their folders, as FoundReferences for
 * withReferences. The caller hands in the text of each package file that may refer out (see
 * `readsOf`), then reads the files outside every package that `toRead` lists and hands them to
 * `addReached`, until it lists none. Pure: the caller does the reading.
 */
export class ReferenceCollector {
  private readonly index: InputIndex;
  private readonly layout: Layout;
  private readonly dirOf: Map<PackageName, RepoPath>;
  private readonly ignores = new Map<PackageName, Ignore[]>();
  private readonly found: FoundReference[] = [];
  /** What each file outside the packages refers to, once read. */
  private readonly written = new Map<RepoPath, { label: string; resolution: Resolution }[]>();
  /** Files reached and not yet followed: by which package, through which chain of references. */
  private queue: { name: PackageName; path: RepoPath; chain: string }[] = [];
  private readonly kinds = new Map<RepoPath, ReferringKind>();
  private readonly followed = new Map<PackageName, Set<RepoPath>>();
  private outside: RepoPath[] | null = null;

  constructor(
    workspace: Workspace,
    private readonly config: PlannerConfig,
    private readonly paths: readonly RepoPath[],
  ) {
    this.index = new InputIndex(workspace, config);
    this.dirOf = new Map(workspace.packages.map((pkg) => [pkg.name, pkg.dir]));
    const holders = new Set<RepoPath>();
    for (const pkg of workspace.packages) {
      for (let end = pkg.dir.lastIndexOf('/'); end > 0; end = pkg.dir.lastIndexOf('/', end - 1))
        holders.add(pkg.dir.slice(0, end));
    }
    const byName = new Map(workspace.packages.map((pkg) => [pkg.name, { name: pkg.name, dir: pkg.dir }]));
    this.layout = {
      tree: new HeadTree(paths),
      ownerOf: (path) => this.index.ownerOf(path),
      packageNamed: (name) => byName.get(name),
      holdsPackages: (folder) => holders.has(folder),
    };
  }

  /**
   * How a file is read for references: `lines` (the lines that name `../` are enough), `whole` (its
   * keys matter), or null: it belongs to no package, is not one of its package's inputs, or cannot refer.
   */
  readsOf(path: RepoPath): 'lines' | 'whole' | null {
    const owner = this.index.ownerOf(path);
    const kind = referringKind(path);
    if (owner === undefined || kind === null) return null;
    const dir = this.dirOf.get(owner) ?? '';
    if (!this.index.isOwnInput(owner, path.slice(dir.length + 1))) return null;
    return readWhole(kind) ? 'whole' : 'lines';
  }

  /** A package's own file (or the lines of it that name `../`): what it refers to outside the package. */
  addPackageFile(path: RepoPath, text: string): void {
    const owner = this.index.ownerOf(path);
    const kind = referringKind(path);
    if (owner === undefined || kind === null) return;
    const relative = path.slice((this.dirOf.get(owner) ?? '').length + 1);
    for (const reference of referencesIn(kind, path, text, true)) {
      this.record(owner, resolveReference(path, reference, this.layout), `${relative} ${reference.label}`);
    }
  }

  /** Files outside every package that were reached and not read yet. */
  toRead(): RepoPath[] {
    return [...new Set(this.queue.map((item) => item.path).filter((path) => !this.written.has(path)))];
  }

  /** The texts of files `toRead` listed (null for one that cannot be read): follows what they refer to. */
  addReached(texts: ReadonlyMap<RepoPath, string | null>): void {
    for (const [path, text] of texts) {
      const kind = this.kinds.get(path);
      if (this.written.has(path) || kind === undefined) continue;
      this.written.set(
        path,
        referencesIn(kind, path, text ?? '', false).map((reference) => ({
          label: reference.label,
          resolution: resolveReference(path, reference, this.layout),
        })),
      );
    }
    const waiting = this.queue;
    this.queue = [];
    for (const item of waiting) {
      const references = this.written.get(item.path);
      // Not handed in: followed no further (the caller could not read it).
      for (const { label, resolution } of references ?? [])
        this.record(item.name, resolution, `${item.chain} → ${item.path} ${label}`);
    }
  }

  /** Everything found so far. */
  references(): readonly FoundReference[] {
    return this.found;
  }

  private record(name: PackageName, resolution: Resolution, via: string): void {
    const ignored = (path: RepoPath | null): boolean => {
      const ignore = path === null ? undefined : this.ignoresOf(name).find((entry) => entry.matches(path));
      if (ignore === undefined) return false;
      this.note(name, via, `inputs.ignoreReferences ${ignore.pattern}`, true);
      return true;
    };
    if (ignored(resolution.path)) return;
    for (const reached of resolution.reached) {
      switch (reached.kind) {
        case 'none':
          // A folder or a missing file inside the package itself is no reference out of it.
          if (resolution.path === null || this.index.ownerOf(`${resolution.path}/`) !== name)
            this.note(name, via, reached.why, false);
          break;
        case 'package':
          if (reached.name !== name && !ignored(reached.path))
            this.found.push({ from: name, to: reached.name, via });
          break;
        case 'lockfile':
          if (!ignored(reached.path)) this.found.push({ from: name, lockfile: reached.path, via });
          break;
        case 'file':
          if (ignored(reached.path)) break;
          this.found.push({ from: name, input: { path: reached.path, match: 'exact', via } });
          if (reached.readAs !== null) this.follow(name, reached.path, reached.readAs, via);
          break;
        case 'folder':
          if (ignored(reached.path)) break;
          this.found.push({ from: name, input: { path: reached.path, match: 'tree', via } });
          for (const path of this.outsideFiles().filter((file) => file.startsWith(`${reached.path}/`)))
            this.follow(name, path, referringKind(path, true), via);
          break;
        case 'glob': {
          const base = picomatch.scan(reached.glob).base;
          if (this.index.ownerOf(`${base}/`) === name || ignored(reached.glob)) break;
          this.found.push({ from: name, input: { path: reached.glob, match: 'glob', via } });
          const matches = picomatch(reached.glob, { dot: true });
          for (const path of this.outsideFiles().filter((file) => matches(file)))
            this.follow(name, path, referringKind(path, true), via);
          break;
        }
      }
    }
  }

  private follow(name: PackageName, path: RepoPath, kind: ReferringKind | null, chain: string): void {
    if (kind === null) return;
    let seen = this.followed.get(name);
    if (seen === undefined) this.followed.set(name, (seen = new Set()));
    if (seen.has(path)) return;
    seen.add(path);
    if (!this.kinds.has(path)) this.kinds.set(path, kind);
    this.queue.push({ name, path, chain });
  }

  private note(name: PackageName, via: string, why: string, ignored: boolean): void {
    this.found.push({ from: name, unfollowed: { via, why, ignored } });
  }

  /** The package's inputs.ignoreReferences, each resolved against its folder. */
  private ignoresOf(name: PackageName): Ignore[] {
    let ignores = this.ignores.get(name);
    if (ignores === undefined) {
      const patterns =
        this.config.inputs[name]?.ignoreReferences ?? this.config.defaultInputs.ignoreReferences ?? [];
      const dir = this.dirOf.get(name) ?? '';
      ignores = patterns.flatMap((pattern) => {
        const resolved = join(dir, pattern);
        if (resolved === null) return [];
        const matches = picomatch(resolved, { dot: true });
        return [{ pattern, matches: (path: RepoPath) => path === resolved || matches(path) }];
      });
      this.ignores.set(name, ignores);
    }
    return ignores;
  }

  /** Files outside every package that can refer to others, for folders and globs that reach them. */
  private outsideFiles(): RepoPath[] {
    this.outside ??= this.paths.filter(
      (path) => this.index.ownerOf(path) === undefined && referringKind(path, true) !== null,
    );
    return this.outside;
  }
}
