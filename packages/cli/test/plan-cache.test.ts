// The blob cache (.shipgraph/cache/blobs-v1): a plan reads manifests and lockfiles from it by blob id,
// and plans the same with it, without it, and with a cache file that is torn, edited or another
// version's. Each test here would fail if planning trusted a file it should not.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictDigest } from '../src/config/schema-check.js';
import { BLOB_CACHE_FILE, decodeBlobCache, encodeBlobCache } from '../src/git/blob-cache.js';
import { shipgraphVersion } from '../src/version.js';
import { deploying, reasonsOf, tempRepo, type TestRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

const CACHE = '.shipgraph/cache';
const MANIFEST = 'services/orders/package.json';

/** orders depends on util, which changed since the deploy: orders deploys, billing does not. */
async function changedRepo(): Promise<TestRepo> {
  const repo = tempRepo(
    npmWorkspace({ libs: { util: [], shared: [] }, services: { orders: ['util'], billing: [] } }),
  );
  await repo.mark(repo.commit('initial'));
  repo.write({ 'libs/util/src/index.ts': 'export const name = "util v2";\n' });
  repo.commit('change util');
  return repo;
}

const cacheFile = (repo: TestRepo): string => join(repo.dir, CACHE, BLOB_CACHE_FILE);

/** The orders manifest at head, by blob id, and an edit of it of the same length that drops its edge to util. */
function ordersManifest(repo: TestRepo): { oid: string; text: Buffer; withoutUtil: Buffer } {
  const oid = repo.git('rev-parse', `HEAD:${MANIFEST}`);
  const text = readFileSync(join(repo.dir, MANIFEST));
  const withoutUtil = Buffer.from(text.toString().replace('"@acme/util"', '"@acme/utix"'));
  expect(withoutUtil.length).toBe(text.length);
  expect(withoutUtil.equals(text)).toBe(false);
  return { oid, text, withoutUtil };
}

function writeCache(repo: TestRepo, content: Buffer): void {
  mkdirSync(join(repo.dir, CACHE), { recursive: true });
  writeFileSync(cacheFile(repo), content);
}

async function expectCorrectPlan(repo: TestRepo): Promise<void> {
  const plan = await repo.plan();
  expect(deploying(plan)).toEqual(['@acme/orders']);
  expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'dependency', via: '@acme/util' }]);
}

describe('plan: the blob cache', () => {
  it('a plan writes what it read by blob id, and the next plan reads it from there', async () => {
    const repo = await changedRepo();
    rmSync(join(repo.dir, CACHE), { recursive: true, force: true });
    await expectCorrectPlan(repo);
    const { oid, text, withoutUtil } = ordersManifest(repo);
    const cached = decodeBlobCache(readFileSync(cacheFile(repo)), shipgraphVersion());
    expect(cached?.blobs.get(oid)?.equals(text)).toBe(true);
    // What the cache holds for a blob id is what planning reads for it: so the cache is used, and
    // the tests below, which plan correctly only by refusing a bad file, test something.
    writeCache(repo, encodeBlobCache(shipgraphVersion(), new Map([[oid, withoutUtil]])));
    expect(deploying(await repo.plan())).toEqual([]);
  });

  it('a torn, edited or empty cache file is ignored, and written anew', async () => {
    const repo = await changedRepo();
    const { oid, text, withoutUtil } = ordersManifest(repo);
    const valid = encodeBlobCache(shipgraphVersion(), new Map([[oid, text]]));
    // The same file with the manifest edited in place: its checksum no longer matches.
    const edited = Buffer.from(valid);
    edited.set(withoutUtil, valid.length - text.length);
    const tampered = encodeBlobCache(shipgraphVersion(), new Map([[oid, withoutUtil]]));
    for (const file of [
      edited,
      tampered.subarray(0, tampered.length - 1),
      tampered.subarray(0, 30),
      Buffer.concat([tampered, Buffer.from('x')]),
      Buffer.alloc(0),
      Buffer.from('not a cache\n'),
    ]) {
      writeCache(repo, file);
      await expectCorrectPlan(repo);
      expect(decodeBlobCache(readFileSync(cacheFile(repo)), shipgraphVersion())?.blobs.get(oid)).toEqual(
        text,
      );
    }
  });

  it('a cache another version of shipgraph wrote is not trusted', async () => {
    const repo = await changedRepo();
    const { oid, withoutUtil } = ordersManifest(repo);
    writeCache(repo, encodeBlobCache('0.0.0-another', new Map([[oid, withoutUtil]])));
    await expectCorrectPlan(repo);
  });

  it('a file changed since the cache was written (same path, new blob) is read anew', async () => {
    const repo = tempRepo(
      npmWorkspace({ libs: { util: [], shared: [] }, services: { orders: ['util'], billing: [] } }),
    );
    repo.commit('initial');
    await repo.plan();
    const manifest = JSON.parse(readFileSync(join(repo.dir, MANIFEST), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    repo.write({
      [MANIFEST]: { ...manifest, dependencies: { ...manifest.dependencies, '@acme/shared': '*' } },
    });
    const edge = repo.commit('orders uses shared');
    repo.write({ 'libs/shared/src/index.ts': 'export const name = "shared v2";\n' });
    repo.commit('change shared');
    const plan = await repo.plan(['--base', edge]);
    expect(deploying(plan)).toEqual(['@acme/orders']);
    expect(reasonsOf(plan, '@acme/orders')).toEqual([{ kind: 'dependency', via: '@acme/shared' }]);
  });

  it('deleting the cache changes nothing but time, and a cache that cannot be written fails nothing', async () => {
    const repo = await changedRepo();
    const runs = async () => [
      await repo.run(['plan', '--json']),
      await repo.run(['plan', '--explain', '--base', 'HEAD~1']),
    ];
    const cold = await runs();
    expect(existsSync(cacheFile(repo))).toBe(true);
    const warm = await runs();
    rmSync(join(repo.dir, CACHE), { recursive: true });
    const deleted = await runs();
    // `.shipgraph/cache` a file, not a folder: nothing can be written there.
    rmSync(join(repo.dir, CACHE), { recursive: true });
    writeFileSync(join(repo.dir, CACHE), '');
    const unwritable = await runs();
    expect(cold.every((run) => run.exitCode === 0)).toBe(true);
    expect(warm).toEqual(cold);
    expect(deleted).toEqual(cold);
    expect(unwritable).toEqual(cold);
  });

  describe('a config found valid', () => {
    const CONFIG = 'shipgraph.config.json';
    const invalid = JSON.stringify({ graph: 'packages', stagez: {} });

    it('is remembered by a digest of its text, so any other text is validated', async () => {
      const repo = await changedRepo();
      repo.write({ [CONFIG]: { graph: 'packages' } });
      repo.commit('config');
      await repo.plan();
      const cached = decodeBlobCache(readFileSync(cacheFile(repo)), shipgraphVersion());
      expect(cached?.facts.size).toBe(1);
      repo.write({ [CONFIG]: invalid });
      repo.commit('a config the schema rejects');
      const result = await repo.run(['plan', '--json']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(
        'E_CONFIG: shipgraph.config.json is invalid: (top level): unknown property "stagez"',
      );
    });

    it("is not taken from another validator's verdict", async () => {
      const repo = await changedRepo();
      repo.write({ [CONFIG]: invalid });
      repo.commit('a config the schema rejects');
      // A digest made by the sources, not by the bundle the binary runs: another build's verdict.
      const digest = verdictDigest('config', invalid);
      expect(digest).not.toBeNull();
      writeCache(repo, encodeBlobCache(shipgraphVersion(), new Map(), [digest ?? '']));
      const result = await repo.run(['plan', '--json']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('unknown property "stagez"');
    });
  });
});
