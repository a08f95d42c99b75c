// The head commit's tree as references need it: which paths are files, which are folders, and by stem.
import type { RepoPath } from '../types.js';

/** Lookups over the paths of every file at head; the folder and stem indexes are built on first use. */
export class HeadTree {
  private readonly files: ReadonlySet<RepoPath>;
  private folders: Set<RepoPath> | null = null;
  private stems: Map<RepoPath, RepoPath[]> | null = null;

  constructor(private readonly paths: readonly RepoPath[]) {
    this.files = new Set(paths);
  }

  isFile(path: RepoPath): boolean {
    return this.files.has(path);
  }

  /** Whether a folder holds any file (the repository root `''` included). */
  isFolder(path: RepoPath): boolean {
    if (this.folders === null) {
      this.folders = new Set(['']);
      for (const file of this.paths) {
        for (let end = file.lastIndexOf('/'); end > 0; end = file.lastIndexOf('/', end - 1)) {
          const folder = file.slice(0, end);
          if (this.folders.has(folder)) break;
          this.folders.add(folder);
        }
      }
    }
    return this.folders.has(path);
  }

  /** The files that are `stem` plus one extension (`common/db` → `common/db.ts`, not `common/db.test.ts`). */
  withExtension(stem: RepoPath): RepoPath[] {
    if (this.stems === null) {
      this.stems = new Map();
      for (const file of this.paths) {
        const dot = file.lastIndexOf('.');
        if (dot <= file.lastIndexOf('/') + 1) continue;
        const key = file.slice(0, dot);
        const list = this.stems.get(key);
        if (list === undefined) this.stems.set(key, [file]);
        else list.push(file);
      }
    }
    return this.stems.get(stem) ?? [];
  }
}
