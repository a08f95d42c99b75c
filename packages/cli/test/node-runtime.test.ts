// The Node.js the CLI tests run shipgraph on: the line under test, with the compile cache where it exists.
import * as module from 'node:module';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN } from './helpers/repo.js';

describe('the node the CLI tests spawn', () => {
  // They all run `node` from PATH; on another version they would test that one (tools/node-lines/run.mjs
  // puts the line under test first on PATH).
  it('is the node running the tests', async () => {
    const child = await execa('node', ['-p', 'process.version']);
    expect(child.stdout).toBe(process.version);
  });

  it('keeps compiled code between runs where Node has a compile cache (22.1 and later)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'shipgraph-compile-cache-'));
    onTestFinished(() => {
      rmSync(tmp, { recursive: true, force: true });
    });
    // Node keeps the cache under os.tmpdir(); NODE_COMPILE_CACHE would turn it on without the bin's call.
    const help = await execa('node', [BIN, '--help'], {
      env: { PATH: process.env.PATH, TMPDIR: tmp },
      extendEnv: false,
      reject: false,
    });
    expect(help.exitCode).toBe(0);
    const cached = readdirSync(tmp, { recursive: true }).length > 0;
    // Node 20 has no module.enableCompileCache: there the bin must run without one.
    expect(cached).toBe('enableCompileCache' in module);
  });
});
