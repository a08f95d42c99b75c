// Decides which repository files are a package's inputs, and which are global.
import picomatch from 'picomatch';
import type { ExternalInput, InputRules, PackageName, PlannerConfig, RepoPath, Workspace } from '../types.js';

type Matcher = (path: string) => boolean;

/**
 * Globs as lookups and RegExps, far cheaper per call than picomatch's matcher objects, on every file
 * of a big tree: a plain path (`tsconfig.base.json`) is a Set lookup, the other globs one RegExp.
 */
function compile(globs: string[]): Matcher {
  if (globs.length === 0) return () => false;
  if (globs.includes('**')) return () => true;
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const glob of globs) {
    const pattern = picomatch.makeRe(glob, { dot: true });
    if (isPlainPath(glob) && pattern.test(glob)) exact.add(glob);
    else patterns.push(pattern);
  }
  const matches = anyOf(patterns);
  if (matches === null) return (path) => exact.has(path);
  return exact.size === 0 ? matches : (path) => exact.has(path) || matches(path);
}

/** A path with no glob syntax and no `.` or `..` part: picomatch matches it and nothing else. */
const isPlainPath = (glob: string): boolean =>
  /^[\w.@-]+(?:\/[\w.@-]+)*$/.test(glob) && !glob.split('/').some((part) => part === '.' || part === '..');

/** Whether any of picomatch's RegExps (each anchored at both ends) matches: one RegExp of alternatives. */
function anyOf(patterns: RegExp[]): Matcher | null {
  const [first] = patterns;
  if (first === undefined) return null;
  // Joined, a backreference would count another alternative's groups.
  if (patterns.some((pattern) => pattern.flags !== first.flags || /\\[1-9]/.test(pattern.source)))
    return (path) => patterns.some((pattern) => pattern.test(path));
  const one =
    patterns.length === 1
      ? first
      : new RegExp(patterns.map((pattern) => pattern.source).join('|'), first.flags);
  return (path) => one.test(path);
}

/** A package that refers to a file outside every package, and the reference. */
export interface ExternalOwner {
  name: PackageName;
  via: string;
}

interface CompiledRules {
  include: Matcher;
  exclude: Matcher;
  extra: Matcher | null;
}

/** Maps any repository path to the package that owns it and says whether it is one of its inputs. */
export class InputIndex {
  private readonly ownerByDir = new Map<RepoPath, PackageName>();
  private readonly rules = new Map<PackageName, CompiledRules>();
  private readonly withExtra: PackageName[] = [];
  private readonly isGlobalFile: Matcher;
  private readonly external = new ExternalInputMatcher<ExternalOwner>();

  constructor(workspace: Workspace, config: PlannerConfig) {
    const defaults = compileRules(config.defaultInputs);
    for (const pkg of workspace.packages) {
      for (const input of pkg.externalInputs ?? [])
        this.external.add(input, { name: pkg.name, via: input.via });
      this.ownerByDir.set(pkg.dir, pkg.name);
      const override = config.inputs[pkg.name];
      const rules = override === undefined ? defaults : compileRules(override);
      this.rules.set(pkg.name, rules);
      if (rules.extra !== null) this.withExtra.push(pkg.name);
    }
    this.isGlobalFile = compile(config.globalFiles);
  }

  /** Whether any package refers to files outside every package. */
  hasExternalInputs(): boolean {
    return !this.external.isEmpty();
  }

  /** The packages that refer to `path` from outside (see ExternalInput), with each reference. */
  externalOwnersOf(path: RepoPath): ExternalOwner[] {
    return this.external.match(path);
  }

  /** The deepest package whose directory contains `path`, if any. */
  ownerOf(path: RepoPath): PackageName | undefined {
    return this.ownerDirOf(path)?.name;
  }

  private ownerDirOf(path: RepoPath): { name: PackageName; dir: RepoPath } | undefined {
    let end = path.lastIndexOf('/');
    while (end > 0) {
      const dir = path.slice(0, end);
      const name = this.ownerByDir.get(dir);
      if (name !== undefined) return { name, dir };
      end = path.lastIndexOf('/', end - 1);
    }
    return undefined;
  }

  isGlobal(path: RepoPath): boolean {
    return this.isGlobalFile(path);
  }

  /** Every package for which `path` is an input: its owner (unless excluded) and any package listing it as extra. */
  packagesWithInput(path: RepoPath): PackageName[] {
    const found: PackageName[] = [];
    const owner = this.ownerDirOf(path);
    if (owner !== undefined && this.isOwnInput(owner.name, path.slice(owner.dir.length + 1)))
      found.push(owner.name);
    for (const name of this.withExtra) {
      if (name !== owner?.name && this.isExtraInput(name, path)) found.push(name);
    }
    return found;
  }

  /** `relative` is a path inside the package's directory. */
  isOwnInput(name: PackageName, relative: string): boolean {
    const rules = this.rules.get(name);
    return rules !== undefined && rules.include(relative) && !rules.exclude(relative);
  }

  /** The packages that list repository globs outside their directory as inputs. */
  packagesWithExtraInputs(): readonly PackageName[] {
    return this.withExtra;
  }

  isExtraInput(name: PackageName, path: RepoPath): boolean {
    return this.rules.get(name)?.extra?.(path) === true;
  }

  /** Groups files by the package that owns them; files outside every package are left out. */
  groupByOwner<T extends { path: RepoPath }>(files: Iterable<T>): Map<PackageName, T[]> {
    const groups = new Map<PackageName, T[]>();
    // Files come folder by folder (git lists a tree that way): one lookup per folder, not per file.
    let folder: RepoPath | null = null;
    let owner: { name: PackageName; dir: RepoPath } | undefined;
    for (const file of files) {
      const slash = file.path.lastIndexOf('/');
      if (folder === null || slash !== folder.length || !file.path.startsWith(folder)) {
        folder = file.path.slice(0, Math.max(0, slash));
        owner = this.ownerDirOf(file.path);
      }
      if (owner === undefined) continue;
      let list = groups.get(owner.name);
      if (list === undefined) groups.set(owner.name, (list = []));
      list.push(file);
    }
    return groups;
  }
}

/** Matches paths against external inputs (see ExternalInput) by lookups, not one test per input. */
export class ExternalInputMatcher<T> {
  private readonly exact = new Map<RepoPath, T[]>();
  private readonly tree = new Map<RepoPath, T[]>();
  /** By pattern: many packages often write the same one (`../../shared/assets/**`), tested once per path. */
  private readonly globs = new Map<string, { matches: Matcher; values: T[] }>();

  add(input: Pick<ExternalInput, 'path' | 'match'>, value: T): void {
    if (input.match === 'glob') {
      const glob = this.globs.get(input.path);
      if (glob === undefined) this.globs.set(input.path, { matches: compile([input.path]), values: [value] });
      else if (!glob.values.includes(value)) glob.values.push(value);
      return;
    }
    const map = this[input.match];
    const list = map.get(input.path);
    if (list === undefined) map.set(input.path, [value]);
    else if (!list.includes(value)) list.push(value);
  }

  isEmpty(): boolean {
    return this.exact.size + this.tree.size + this.globs.size === 0;
  }

  /** The values of every input that takes in `path`. */
  match(path: RepoPath): T[] {
    const found: T[] = [...(this.exact.get(path) ?? [])];
    if (this.tree.size > 0) {
      found.push(...(this.tree.get('') ?? []));
      for (let end = path.indexOf('/'); end > 0; end = path.indexOf('/', end + 1)) {
        found.push(...(this.tree.get(path.slice(0, end)) ?? []));
      }
    }
    for (const glob of this.globs.values()) if (glob.matches(path)) found.push(...glob.values);
    return found;
  }
}

function compileRules(rules: InputRules): CompiledRules {
  return {
    include: compile(rules.include),
    exclude: compile(rules.exclude),
    extra: rules.extra.length > 0 ? compile(rules.extra) : null,
  };
}

export const DEFAULT_EXCLUDES = ['**/*.md', '**/*.test.*', '**/*.spec.*', '**/__tests__/**', '**/e2e/**'];
export const DEFAULT_GLOBAL_FILES = ['tsconfig.base.json', '.nvmrc', '.node-version'];

export const defaultPlannerConfig = (): PlannerConfig => ({
  globalFiles: [...DEFAULT_GLOBAL_FILES],
  defaultInputs: { include: ['**'], exclude: [...DEFAULT_EXCLUDES], extra: [] },
  inputs: {},
});
