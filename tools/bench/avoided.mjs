#!/usr/bin/env node
// Benchmarks what a run can leave out once it learns what the cloud did: deploys of services that only
// read outputs that did not change, and e2e runs of services where nothing they test moved. Two
// parts, each run with this build and, with --baseline, another build beside it on the same history:
//
// - the example monorepo (osls on moto): deploy everything, then the demo's change to libs/shared;
// - a seeded workspace of 40 services and 8 libraries in which half the service-to-service edges only
//   read outputs (the config's dependsOn), deployed by a stand-in that finds nothing to change when a
//   service's bundle is the one deployed (fake-cloud.mjs), with an e2e suite each; 12 changes, each
//   to one source file of a library or a service.
//
//   node tools/bench/avoided.mjs [--baseline other/packages/cli/bin/shipgraph.js] [--only example,workspace]
//                                [--out results.json]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BIN, seededDependencies } from './dag-workspace.mjs';
import { randomFrom } from './generate.mjs';
import { commitEdit, scratchExample } from '../example/scratch.mjs';
import { ensureMoto, startMoto, useMoto } from '../moto/moto.mjs';

const FAKE_CLOUD = fileURLToPath(new URL('./fake-cloud.mjs', import.meta.url));
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    only: { type: 'string', default: 'example,workspace' },
    changes: { type: 'string', default: '12' },
    out: { type: 'string' },
  },
});
const builds = [['this build', BIN], ...(values.baseline ? [['baseline', values.baseline]] : [])];

/** Runs `deploy --json` and counts what it did; wall time from start to exit. */
async function deploy(bin, cwd, env) {
  const started = performance.now();
  const child = spawn('node', [bin, 'deploy', '--json', '--no-check-stacks'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const [code] = await once(child, 'exit');
  const wallMs = performance.now() - started;
  const summary = JSON.parse(stdout);
  if (code !== 0 || !summary.ok) throw new Error(`${bin}: a benchmark deploy failed (exit ${code})`);
  const count = (list, status) => list.filter((result) => result.status === status).length;
  return {
    wallMs,
    deployed: count(summary.results, 'deployed'),
    unchanged: count(summary.results, 'unchanged'),
    skipped: summary.results.filter((result) => result.status === 'skipped' && result.note !== undefined)
      .length,
    e2eRan: summary.e2e.filter((result) => result.status === 'passed' || result.status === 'failed').length,
    e2eSkipped: summary.e2e.filter((result) => /nothing changed in the cloud/.test(result.detail ?? ''))
      .length,
  };
}

const git = (dir, ...args) =>
  execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], { cwd: dir, stdio: 'ignore' });

/** The example: everything once, then the demo's change to the shared library. */
async function example(bin) {
  ensureMoto();
  const moto = await startMoto();
  const repo = scratchExample();
  try {
    const env = useMoto({ ...process.env, STAGE: 'staging', CI: 'true' }, moto.endpoint);
    await deploy(bin, repo, env);
    commitEdit(repo, 'libs/shared/src/ids.mjs', '`ord_${', '`order_${', 'a longer order id prefix');
    return [await deploy(bin, repo, env)];
  } finally {
    await moto.stop();
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The seeded workspace: a first deploy, then each change deployed in turn. */
async function workspace(bin, changes) {
  const dir = mkdtempSync(join(tmpdir(), 'shipgraph-bench-avoided-'));
  const cloud = `${dir}-cloud`;
  const write = (rel, content) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };
  const random = randomFrom(11);
  const count = 40;
  const libs = 8;
  const serviceDeps = seededDependencies(count, random);
  const services = {};
  write('package.json', { name: 'bench', private: true, workspaces: ['libs/*', 'services/*'] });
  write('.gitignore', '.shipgraph/\n');
  for (let l = 0; l < libs; l++) {
    write(`libs/lib-${l}/package.json`, { name: `lib-${l}` });
    write(`libs/lib-${l}/src/index.js`, `export const lib = ${l};\n`);
  }
  for (let i = 0; i < count; i++) {
    const name = `svc-${i}`;
    const usesLibs = [...new Set([Math.floor(random() * libs), Math.floor(random() * libs)])];
    // It depends on its libraries, and bundles the first only (the rest are for types or tooling).
    const bundles = usesLibs.slice(0, 1).map((l) => `lib-${l}`);
    const deployTime = serviceDeps[i].filter(() => random() < 0.5).map((d) => `svc-${d}`);
    const code = serviceDeps[i].map((d) => `svc-${d}`).filter((dep) => !deployTime.includes(dep));
    write(`services/${name}/package.json`, {
      name,
      dependencies: Object.fromEntries(
        [...usesLibs.map((l) => `lib-${l}`), ...code].map((dep) => [dep, '*']),
      ),
      scripts: { 'test:e2e': 'node -e "setTimeout(() => {}, 800)"' },
    });
    write(`services/${name}/src/index.js`, `export const service = ${i};\n`);
    services[name] = {
      ...(deployTime.length > 0 ? { dependsOn: deployTime } : {}),
      deployer: {
        type: 'command',
        command: [
          'env',
          `BUNDLES=${bundles.join(',')}`,
          'node',
          FAKE_CLOUD,
          cloud,
          String(300 + Math.floor(random() * 300)),
        ],
      },
    };
  }
  write('shipgraph.config.json', { services });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'bench');
  try {
    const env = { ...process.env, CI: 'true' };
    await deploy(bin, dir, env);
    const runs = [];
    const change = randomFrom(23);
    for (let c = 0; c < changes; c++) {
      const lib = change() < 0.5;
      const path = lib
        ? `libs/lib-${Math.floor(change() * libs)}/src/index.js`
        : `services/svc-${Math.floor(change() * count)}/src/index.js`;
      write(path, `${'// change\n'.repeat(c + 1)}export const changed = ${c};\n`);
      git(dir, 'commit', '-qam', `change ${c}`);
      runs.push(await deploy(bin, dir, env));
    }
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cloud, { recursive: true, force: true });
  }
}

const total = (runs) => {
  const sum = (key) => runs.reduce((all, run) => all + run[key], 0);
  return {
    changes: runs.length,
    deploysRun: sum('deployed') + sum('unchanged'),
    deploysAvoided: sum('skipped'),
    e2eRan: sum('e2eRan'),
    e2eAvoided: sum('e2eSkipped'),
    wallMs: Math.round(sum('wallMs')),
  };
};

const results = {};
for (const part of values.only.split(',')) {
  results[part] = {};
  for (const [label, bin] of builds) {
    const runs = part === 'example' ? await example(bin) : await workspace(bin, Number(values.changes));
    results[part][label] = total(runs);
  }
}
console.log('part       build        changes  deploys run  deploys avoided  e2e ran  e2e avoided  wall');
for (const [part, byBuild] of Object.entries(results)) {
  for (const [label, row] of Object.entries(byBuild)) {
    console.log(
      `${part.padEnd(9)}  ${label.padEnd(11)}  ${String(row.changes).padStart(7)}  ${String(row.deploysRun).padStart(11)}  ${String(row.deploysAvoided).padStart(15)}  ${String(row.e2eRan).padStart(7)}  ${String(row.e2eAvoided).padStart(11)}  ${(row.wallMs / 1000).toFixed(1)}s`,
    );
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2));
