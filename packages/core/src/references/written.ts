// What a file writes that refers to other files: the kinds of files read, and one written reference.
import type { RepoPath } from '../types.js';

/**
 * How a file is read for references: JS/TS sources line by line, YAML by its keys, JSON (JSONC) by its
 * keys, and tsconfig/jsconfig files by `extends` and `references` only.
 */
export type ReferringKind = 'source' | 'yaml' | 'json' | 'tsconfig';

/**
 * What a written path means, which decides what it reaches (see resolve.ts):
 * - `module`: an import, a require, a handler: the file, with any extension, or a folder's index;
 * - `file`: an existing file, nothing else (a folder means nothing);
 * - `ship`: a file or a folder shipped whole (`package.patterns`, `layers.*.path`);
 * - `glob`: a pattern (also a path with a variable in it);
 * - `extends`: a tsconfig `extends`: the file, or the file with `.json`, or a package's file;
 * - `project`: a tsconfig `references` path: the file, or the folder's tsconfig.json.
 */
export type ReferenceForm = 'module' | 'file' | 'ship' | 'glob' | 'extends' | 'project';

export interface WrittenReference {
  /** The path as written, relative to the file (a package name for a bare `extends`), variables as `*`. */
  path: string;
  form: ReferenceForm;
  /** How --explain shows it after the file's name: `custom.output.handler ../../x.handler`, `import '../db'`. */
  label: string;
}

const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const TSCONFIG = /^[jt]sconfig(?:\..*)?\.json$/;
const SERVERLESS_YAML = /^serverless\.ya?ml$/;
const JSON_CONFIG = /^(?:serverless\.json|\.babelrc|\.babelrc\.json|babel\.config\.json)$/;

/**
 * Whether a file can refer to others, and how: JS/TS files (serverless.ts and .js included),
 * serverless.yml/.yaml/.json, tsconfig/jsconfig and babel JSON configs; other YAML and JSON files
 * when a reference reached them.
 */
export function referringKind(path: RepoPath, reached = false): ReferringKind | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (SOURCE.test(name)) return 'source';
  if (TSCONFIG.test(name)) return 'tsconfig';
  if (SERVERLESS_YAML.test(name)) return 'yaml';
  if (JSON_CONFIG.test(name)) return 'json';
  if (reached && /\.ya?ml$/.test(name)) return 'yaml';
  if (reached && /\.json$/.test(name)) return 'json';
  return null;
}

/** Whether a file is read whole (its keys matter), rather than by the lines that name a path. */
export const readWhole = (kind: ReferringKind): boolean => kind !== 'source';
