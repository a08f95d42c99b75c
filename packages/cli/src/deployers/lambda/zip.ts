// The lambda deployer's code zip: built by a command or esbuild, zipped so the same files give the same bytes.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import type { LambdaDeployerConfig } from '../../config/config.js';
import { CliError } from '../../errors.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import type { DeployContext } from '../contract.js';
import { runDeployTool } from '../tool.js';

// Every entry gets this time (local midnight, as zip stores local time, so the bytes do not depend on
// the time zone) and one of two modes: what Lambda hashes is then the files' names and contents only.
const FIXED_TIME = new Date(1980, 0, 1);
const FILE = 0o100644;
const EXECUTABLE = 0o100755;

export interface CodeZip {
  bytes: Uint8Array;
  /** What Lambda reports as CodeSha256: the base64 SHA-256 of the zip. */
  sha256: string;
}

export async function buildCodeZip(config: LambdaDeployerConfig, context: DeployContext): Promise<CodeZip> {
  const build = config.build;
  if ('command' in build) {
    const [file = '', ...args] = build.command.map((part) =>
      fillPlaceholders(part, context.stage, context.region),
    );
    await runDeployTool(file, args, context);
    return zipFolder(join(context.dir, build.dir));
  }
  const out = await mkdtemp(join(tmpdir(), 'shipgraph-lambda-'));
  try {
    const esbuild = await workspaceEsbuild(context);
    const name = basename(build.entry, extname(build.entry));
    context.log(`esbuild ${build.entry} → ${name}.mjs`);
    await esbuild.build({
      entryPoints: [join(context.dir, build.entry)],
      outfile: join(out, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // The runtime has the AWS SDK v3.
      external: ['@aws-sdk/*'],
      logLevel: 'warning',
    });
    return await zipFolder(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Zips a folder's files, sorted by path, with fixed times and modes. */
export async function zipFolder(dir: string): Promise<CodeZip> {
  const files = (await readdir(dir, { recursive: true })).map((path) => path.split(sep).join('/')).sort();
  const entries: Zippable = {};
  for (const path of files) {
    const full = join(dir, path);
    const info = await stat(full);
    if (!info.isFile()) continue;
    const attrs = (((info.mode & 0o111) !== 0 ? EXECUTABLE : FILE) << 16) >>> 0;
    entries[path] = [await readFile(full), { mtime: FIXED_TIME, attrs, os: 3 }];
  }
  if (Object.keys(entries).length === 0) {
    throw new CliError(
      'E_DEPLOYER',
      `the lambda build wrote no files to ${relative(process.cwd(), dir) || dir}`,
      {
        hint: 'check deployer.build: its command must write the code into deployer.build.dir',
      },
    );
  }
  return codeZip(zipSync(entries, { level: 9 }));
}

export const codeZip = (bytes: Uint8Array): CodeZip => ({
  bytes,
  sha256: createHash('sha256').update(bytes).digest('base64'),
});

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** The workspace's own esbuild (shipgraph does not ship one): the version the team pinned. */
async function workspaceEsbuild(context: DeployContext): Promise<Esbuild> {
  try {
    const path = createRequire(join(context.dir, 'package.json')).resolve('esbuild');
    return (await import(pathToFileURL(path).href)) as Esbuild;
  } catch (error) {
    throw new CliError('E_DEPLOYER', `${context.service} builds with esbuild, which is not installed`, {
      hint: 'install esbuild in the workspace (npm i -D esbuild), or build with a command',
      cause: error,
    });
  }
}
