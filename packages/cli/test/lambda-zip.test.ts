// The lambda deployer's zip gives the same bytes for the same files, and the rollout's steps.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LambdaDeployerConfig } from '../src/config/config.js';
import type { DeployContext } from '../src/deployers/contract.js';
import { buildCodeZip, zipFolder } from '../src/deployers/lambda/zip.js';
import { rolloutSteps, stepMs } from '../src/deployers/lambda/rollout.js';

/** A folder with these files, written in this order, at this time. */
function folder(files: Record<string, string>, at: Date): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgraph-zip-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    utimesSync(join(dir, path), at, at);
  }
  return dir;
}

describe('zipFolder', () => {
  it('gives the same bytes for the same files, whatever their order, times and read bits', async () => {
    const one = folder({ 'index.mjs': 'a', 'lib/util.mjs': 'b' }, new Date('2020-01-01'));
    const two = folder({ 'lib/util.mjs': 'b', 'index.mjs': 'a' }, new Date('2024-06-01'));
    chmodSync(join(two, 'index.mjs'), 0o600);
    const [first, second] = [await zipFolder(one), await zipFolder(two)];
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(Object.keys(unzipSync(first.bytes))).toEqual(['index.mjs', 'lib/util.mjs']);
  });

  it('gives other bytes for other contents, and for an executable file', async () => {
    const base = await zipFolder(folder({ 'index.mjs': 'a' }, new Date('2020-01-01')));
    expect((await zipFolder(folder({ 'index.mjs': 'b' }, new Date('2020-01-01')))).sha256).not.toBe(
      base.sha256,
    );
    const executable = folder({ 'index.mjs': 'a' }, new Date('2020-01-01'));
    chmodSync(join(executable, 'index.mjs'), 0o755);
    expect((await zipFolder(executable)).sha256).not.toBe(base.sha256);
  });

  it('refuses an empty build', async () => {
    await expect(zipFolder(folder({}, new Date()))).rejects.toThrow(/the lambda build wrote no files/);
  });
});

describe('buildCodeZip with an esbuild entry', () => {
  it("bundles with the workspace's esbuild to <entry name>.mjs, the same bytes each time", async () => {
    // Inside the repository, where the workspace's esbuild resolves.
    const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.esbuild-'));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/util.ts'), 'export const twice = (n: number): number => 2 * n;\n');
    writeFileSync(
      join(dir, 'src/handler.ts'),
      "import { twice } from './util';\nexport const handler = async () => twice(21);\n",
    );
    const context = { dir, service: 'api', log: () => undefined } as unknown as DeployContext;
    const config: LambdaDeployerConfig = {
      type: 'lambda',
      functions: ['f'],
      bucket: 'b',
      build: { entry: 'src/handler.ts' },
    };
    const [first, second] = [await buildCodeZip(config, context), await buildCodeZip(config, context)];
    expect(second.sha256).toBe(first.sha256);
    const files = unzipSync(first.bytes);
    expect(Object.keys(files)).toEqual(['handler.mjs']);
    expect(new TextDecoder().decode(files['handler.mjs'])).toContain('2 * n');
  });
});

describe('rollout steps', () => {
  it('canary is one step, linear adds its percent up to below 100', () => {
    expect(rolloutSteps({ type: 'canary', percent: 10 })).toEqual([10]);
    expect(rolloutSteps({ type: 'linear', percent: 25 })).toEqual([25, 50, 75]);
    expect(rolloutSteps({ type: 'linear', percent: 40 })).toEqual([40, 80]);
    expect(stepMs({ type: 'canary', percent: 10, minutes: 0.5, seconds: 3 })).toBe(33_000);
  });
});
