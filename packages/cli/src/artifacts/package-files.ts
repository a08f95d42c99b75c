// A package folder's files and their hashes: what an artifact's manifest lists, and the hash of its code.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface PackageContents {
  /** Relative path (with `/`) → sha256 of the file. */
  files: Record<string, string>;
  /** sha256 over the code files' paths and hashes: two packages with the same code have the same. */
  code: string;
}

export const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

export async function packageContents(
  dir: string,
  isCode: (path: string) => boolean = () => true,
): Promise<PackageContents> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    files[path] = sha256(await readFile(join(dir, path)));
  }
  const code = Object.keys(files)
    .filter(isCode)
    .sort()
    .map((path) => `${files[path] ?? ''}  ${path}\n`)
    .join('');
  return { files, code: sha256(code) };
}
