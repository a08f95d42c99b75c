// Blob contents kept between runs, by git object id: the manifests and lockfile a plan reads come from
// one file instead of a `git cat-file` over thousands of objects; with them, facts about content (a
// digest of a config and of the validator that accepted it). Only a shortcut: safe to delete.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitRepo } from './repo.js';

export const BLOB_CACHE_FILE = 'blobs-v1';
const MAGIC = 'shipgraph blob cache 1\n';

interface Stored {
  blobs: Map<string, Buffer>;
  facts: Set<string>;
}

/**
 * What a run reads through it, with what the file held at the start of the run. A blob id names its
 * content, so an entry cannot go stale; the file is trusted only whole: written by this version of
 * shipgraph, and with the checksum of its index and contents (anything else, torn or edited, is
 * ignored and written anew).
 */
export class BlobCache {
  private readonly stored: Promise<Stored>;
  private readonly read = new Map<string, Buffer>();
  private readonly facts = new Set<string>();
  /** Whether this run read or learned anything the file does not hold. */
  private changed = false;

  /** Starts reading `dir`'s cache file at once, while git is asked for other things. */
  constructor(
    private readonly dir: string,
    private readonly version: string,
  ) {
    const empty = (): Stored => ({ blobs: new Map(), facts: new Set() });
    this.stored = readFile(join(dir, BLOB_CACHE_FILE)).then(
      (file) => decodeBlobCache(file, version) ?? empty(),
      empty,
    );
  }

  /** The blobs: those the file holds from it, the others in one `git cat-file`. Missing objects map to null. */
  async blobs(repo: GitRepo, oids: readonly string[]): Promise<Map<string, Buffer | null>> {
    const stored = (await this.stored).blobs;
    const fromGit = await repo.readObjects(oids.filter((oid) => !stored.has(oid)));
    if (fromGit.size > 0) this.changed = true;
    const found = new Map<string, Buffer | null>();
    for (const oid of oids) {
      const blob = stored.get(oid) ?? fromGit.get(oid) ?? null;
      found.set(oid, blob);
      if (blob !== null) this.read.set(oid, blob);
    }
    return found;
  }

  /** Whether an earlier run recorded `fact`, a digest of the content it is about. */
  async knows(fact: string): Promise<boolean> {
    const known = (await this.stored).facts.has(fact);
    if (known) this.facts.add(fact);
    return known;
  }

  learn(fact: string): void {
    this.facts.add(fact);
    this.changed = true;
  }

  /**
   * When git was asked for any blob (or a fact was learned), replaces the file with what this run
   * read and knew (so it holds one commit's worth, not every commit's); written beside it and
   * renamed, so a reader never sees half of it. A failure (a read-only checkout) costs the next run
   * time, nothing else.
   */
  async save(): Promise<void> {
    if (!this.changed) return;
    const file = join(this.dir, BLOB_CACHE_FILE);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(temporary, encodeBlobCache(this.version, this.read, this.facts));
      await rename(temporary, file);
    } catch {
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }
}

/**
 * The file: a magic line, the sha256 of the rest, then `{"shipgraph":version,"facts":[...],
 * "blobs":[[oid,size],...]}` on one line, then the contents one after another.
 */
export function encodeBlobCache(
  version: string,
  blobs: ReadonlyMap<string, Buffer>,
  facts: Iterable<string> = [],
): Buffer {
  const index = JSON.stringify({
    shipgraph: version,
    facts: [...facts],
    blobs: [...blobs].map(([oid, blob]) => [oid, blob.length]),
  });
  const body = Buffer.concat([Buffer.from(`${index}\n`), ...blobs.values()]);
  const checksum = createHash('sha256').update(body).digest('hex');
  return Buffer.concat([Buffer.from(`${MAGIC}${checksum}\n`), body]);
}

/** The blobs and facts a cache file holds, or null when it is not one this version wrote whole. */
export function decodeBlobCache(file: Buffer, version: string): Stored | null {
  if (file.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const start = MAGIC.length + 65;
  if (file.length < start || file[start - 1] !== 10) return null;
  const body = file.subarray(start);
  const checksum = createHash('sha256').update(body).digest('hex');
  if (file.toString('latin1', MAGIC.length, start - 1) !== checksum) return null;
  const newline = body.indexOf(10);
  if (newline < 0) return null;
  let index: unknown;
  try {
    index = JSON.parse(body.toString('utf8', 0, newline));
  } catch {
    return null;
  }
  const { shipgraph, facts, blobs } = (index ?? {}) as {
    shipgraph?: unknown;
    facts?: unknown;
    blobs?: unknown;
  };
  if (shipgraph !== version || !Array.isArray(blobs) || !Array.isArray(facts)) return null;
  if (facts.some((fact) => typeof fact !== 'string')) return null;
  const found = new Map<string, Buffer>();
  let offset = newline + 1;
  for (const entry of blobs as unknown[]) {
    const [oid, size] = Array.isArray(entry) ? (entry as unknown[]) : [];
    if (typeof oid !== 'string' || !Number.isSafeInteger(size) || (size as number) < 0) return null;
    found.set(oid, body.subarray(offset, (offset += size as number)));
  }
  return offset === body.length ? { blobs: found, facts: new Set(facts as string[]) } : null;
}
