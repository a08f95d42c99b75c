// Opens a repository at one commit: its files, config and workspace, read from git, never the work tree.
import { join } from 'node:path';
import {
  LOCKFILES,
  TOOLING_FILES,
  rootTooling,
  type CommitSha,
  type HeadFile,
  type RepoPath,
  type Workspace,
} from '@shipgraph/core';
import type { PackageManifests } from '@shipgraph/core/lockfile';
import { CONFIG_FILE, parseConfig, type ShipgraphConfig } from '../config/config.js';
import { CliError } from '../errors.js';
import { BlobCache } from '../git/blob-cache.js';
import { GitRepo } from '../git/repo.js';
import { shipgraphVersion } from '../version.js';
import {
  ROOT_FILES,
  SERVERLESS_FILES,
  isWorkspaceFile,
  readWorkspace,
  type Manifest,
} from '../workspace/read.js';
import { withOutputReads } from '../workspace/output-reads.js';
import { outwardLines, withFileReferences } from '../workspace/references.js';

/** A root lockfile at head; `text` is null for a binary one (bun.lockb). */
export interface HeadLockfile {
  file: RepoPath;
  oid: string;
  text: string | null;
}

/** A repository opened at one commit, with its config and workspace read. */
export interface Checkout {
  repo: GitRepo;
  head: CommitSha;
  files: HeadFile[];
  config: ShipgraphConfig;
  workspace: Workspace;
  /** Where the workspace's edges came from, for --explain. */
  graph: GraphSource;
  /** Each package's package.json by folder, the root's under `''`. */
  manifests: Map<RepoPath, Manifest>;
  lockfiles: HeadLockfile[];
  /** The root's tooling settings at head (see `rootTooling`). */
  tooling: Map<string, string>;
  /** What planning noticed and the user should know (one line each). */
  warnings: string[];
  /** The `--base` ref, resolved and diffed with head while the checkout was read (awaited where needed). */
  base: { ref: string; commit: Promise<CommitSha> } | null;
}

export type GraphSource =
  { kind: 'packages'; why: string } | { kind: 'nx'; cache: 'hit' | 'miss' | 'off'; cacheDir: RepoPath };

const CACHE_DIR = '.shipgraph/cache';

export async function openCheckout(cwd: string, headRef: string, baseRef?: string): Promise<Checkout> {
  const { repo, head } = await GitRepo.open(cwd, headRef);
  // A base given on the command line is resolved, and diffed with head, while the files are read.
  const base = baseRef === undefined ? null : { ref: baseRef, commit: repo.resolveCommit(baseRef) };
  base?.commit.then((commit) => repo.changedFiles(commit, head)).catch(() => undefined);
  // git searches the tree for references out of folders while the files are listed and read.
  const outward = outwardLines(repo, head);
  outward.catch(() => undefined);
  const cache = new BlobCache(join(repo.root, CACHE_DIR), shipgraphVersion());
  const files = await repo.listFiles(head);
  const rootNames = new Set<string>([...ROOT_FILES, ...LOCKFILES, ...TOOLING_FILES]);
  // Every file planning reads, at once: root files and lockfiles, all manifests, Nx's project and
  // ignore files; those unchanged since the last run from the cache, the others in one cat-file.
  const wanted = files.filter((file) => rootNames.has(file.path) || isWorkspaceFile(file.path));
  const blobIds = wanted.map((file) => file.oid);
  const blobs = await cache.blobs(repo, blobIds);
  const texts = new Map<RepoPath, string | null>();
  for (const file of wanted) texts.set(file.path, blobs.get(file.oid)?.toString('utf8') ?? null);
  const lookup = (paths: readonly RepoPath[]): Promise<Map<RepoPath, string | null>> =>
    Promise.resolve(new Map(paths.map((path) => [path, texts.get(path) ?? null])));

  const config = await parseConfig(texts.get(CONFIG_FILE) ?? null, cache);
  void cache.save();
  const rootFiles = new Map(ROOT_FILES.map((path) => [path, texts.get(path) ?? null]));
  const hasNxJson = rootFiles.get('nx.json') != null;
  // Whether Nx's graph may be cached depends on uncommitted edits: `git status` (50 ms on a large
  // tree) runs while the workspace is read.
  const uncommitted =
    config.graph === 'nx' || (config.graph === 'auto' && hasNxJson) ? repo.uncommittedPaths() : null;
  uncommitted?.catch(() => undefined);
  const read = await readWorkspace(files, rootFiles, lookup, config);
  const withGraph = await withGraphSource(repo, head, files, config, read.workspace, {
    hasNxJson,
    uncommitted,
  });
  const oids = new Map(files.map((file) => [file.path, file.oid]));
  const lines = await outward;
  const referenced = await withFileReferences(
    withGraph.workspace,
    config.planner,
    files,
    lines,
    async (paths) => {
      const found = await repo.readObjects(paths.map((path) => oids.get(path) ?? `${head}:${path}`));
      return new Map(
        paths.map((path) => [path, found.get(oids.get(path) ?? `${head}:${path}`)?.toString('utf8') ?? null]),
      );
    },
  );
  const workspace = withOutputReads(referenced, lines);
  return {
    repo,
    head,
    files,
    config,
    workspace,
    graph: withGraph.graph,
    manifests: read.manifests,
    lockfiles: files
      .filter((file) => LOCKFILES.includes(file.path))
      .map((file) => ({
        file: file.path,
        oid: file.oid,
        text: file.path.endsWith('.lockb') ? null : (texts.get(file.path) ?? null),
      })),
    tooling: await rootTooling(new Map(TOOLING_FILES.map((path) => [path, texts.get(path) ?? null]))),
    warnings: read.warnings,
    base,
  };
}

/**
 * Adds Nx's project graph when the config asks for it, or (automatically) when the workspace has
 * nx.json and nx installed. Nx reads the checked-out files, so the checkout must be at head; its
 * graph is cached by what it reads at head, and not cached while such files have uncommitted edits.
 */
async function withGraphSource(
  repo: GitRepo,
  head: CommitSha,
  files: readonly HeadFile[],
  config: ShipgraphConfig,
  packages: Workspace,
  { hasNxJson, uncommitted }: { hasNxJson: boolean; uncommitted: Promise<RepoPath[]> | null },
): Promise<{ workspace: Workspace; graph: GraphSource }> {
  if (config.graph === 'packages')
    return { workspace: packages, graph: { kind: 'packages', why: '"graph": "packages" in the config' } };
  if (config.graph === 'auto' && !hasNxJson)
    return { workspace: packages, graph: { kind: 'packages', why: 'no nx.json' } };
  const nx = await import('../workspace/nx-graph.js');
  if (config.graph === 'auto' && (await nx.findWorkspaceNx(repo.root)) === null) {
    return {
      workspace: packages,
      graph: { kind: 'packages', why: 'nx.json, but nx is not installed in the workspace' },
    };
  }
  const checkedOut = await repo.resolveCommit('HEAD');
  if (checkedOut !== head) {
    throw new CliError(
      'E_CHECKOUT_MISMATCH',
      `the Nx graph comes from the checked-out files, which are at ${checkedOut.slice(0, 12)}, not at the planned ${head.slice(0, 12)}`,
      { hint: `check out ${head.slice(0, 12)} first, or set "graph": "packages" in ${CONFIG_FILE}` },
    );
  }
  const reads = await nx.nxInputs(repo.root);
  const useCache = !(await (uncommitted ?? repo.uncommittedPaths())).some(reads);
  const paths = new Set(files.map((file) => file.path));
  const result = await nx.readNxProjectGraph({
    root: repo.root,
    files,
    cacheDir: join(repo.root, CACHE_DIR),
    env: process.env,
    useCache,
    reads,
  });
  const workspace = nx.withNxGraph(
    packages,
    result.graph,
    (project) =>
      project.name in config.services ||
      SERVERLESS_FILES.some((file) => paths.has(`${project.root}/${file}`)),
  );
  return { workspace, graph: { kind: 'nx', cache: result.cache, cacheDir: CACHE_DIR } };
}

/** The manifests as the lockfile readers take them. */
export const manifestsOf = (checkout: Checkout): PackageManifests => checkout.manifests as PackageManifests;
