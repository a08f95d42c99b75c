#!/usr/bin/env node
// `npm run demo`: shipgraph's main job on the bundled example, against moto on 127.0.0.1.
// Deploys the example from scratch with its e2e tests, deploys again (nothing to do), then changes
// the shared library and shows that only its dependents redeploy, which artifacts really changed,
// and their e2e tests. Pass --keep to keep the scratch repository.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { commitEdit, scratchExample } from './example/scratch.mjs';
import { ensureMoto, startMoto, useMoto } from './moto/moto.mjs';

const BIN = fileURLToPath(new URL('../packages/cli/bin/shipgraph.js', import.meta.url));
const keep = process.argv.includes('--keep');
const say = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);
// The example's functions, by service, as the Serverless Framework names them (<service>-<stage>-<function>).
const FUNCTIONS = {
  'orders-api': ['createOrder', 'getOrder'],
  'orders-worker': ['applyOrderEvents'],
  fulfilment: ['quoteShipping'],
  notifications: ['notifyCustomer'],
};

try {
  ensureMoto();
} catch (error) {
  // It has shown what pip printed; the message names the step that failed.
  console.error(error.message);
  process.exit(1);
}
const moto = await startMoto();
const env = useMoto({ ...process.env, STAGE: 'staging' }, moto.endpoint);
for (const name of ['CODEBUILD_WEBHOOK_TRIGGER', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'FORCE_DEPLOY_ALL'])
  delete env[name];
const repo = scratchExample();
// Not execFileSync: moto logs every request to a pipe this process reads. Blocked in a synchronous call,
// it stops reading, the pipe fills, and moto stalls mid-request (the e2e tests then time out).
async function shipgraph(...args) {
  const child = spawn('node', [BIN, ...args], { cwd: repo, env, stdio: 'inherit' });
  const [status, signal] = await once(child, 'exit');
  if (status !== 0)
    throw Object.assign(new Error(`shipgraph ${args[0]}: ${signal ?? `exit ${status}`}`), { status });
}
const lambda = new LambdaClient({
  endpoint: moto.endpoint,
  region: env.AWS_REGION,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** Each deployed function's CodeSha256: what Lambda runs, so what a deploy really changed. */
async function artifacts() {
  const found = {};
  for (const [service, names] of Object.entries(FUNCTIONS)) {
    for (const name of names) {
      const { Configuration } = await lambda.send(
        new GetFunctionCommand({ FunctionName: `${service}-staging-${name}` }),
      );
      found[`${service} ${name}`] = Configuration?.CodeSha256 ?? '?';
    }
  }
  return found;
}

/** The JUnit report's test cases, one line each (what CodeBuild's test reports would show). */
function junitSummary(file) {
  const xml = readFileSync(join(repo, file), 'utf8');
  const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>(<failure)?)/g)];
  const failed = cases.filter((match) => match[4] !== undefined).length;
  return `${file}: ${cases.length} test cases, ${failed} failed`;
}

let failed = false;
try {
  say(`moto is on ${moto.endpoint}; the example is a fresh git repository in ${repo}`);
  say('shipgraph plan — nothing is deployed yet');
  await shipgraph('plan');
  say('shipgraph deploy — every service in dependency order, then their e2e tests against the stage');
  await shipgraph('deploy', '--junit', 'reports/e2e.xml');
  console.log(junitSummary('reports/e2e.xml'));
  say('shipgraph deploy again — nothing changed, nothing deploys, nothing to test');
  await shipgraph('deploy');
  const before = await artifacts();
  // newOrderId is bundled into orders-api's handlers; orders-worker's bundle holds only what it imports.
  commitEdit(repo, 'libs/shared/src/ids.mjs', '`ord_${', '`order_${', 'a longer order id prefix');
  say('after a commit that changes libs/shared: shipgraph plan --explain');
  await shipgraph('plan', '--explain');
  say(
    "shipgraph deploy — the library's dependents; each says whether its deploy changed anything; then their e2e",
  );
  await shipgraph('deploy', '--junit', 'reports/e2e.xml');
  console.log(junitSummary('reports/e2e.xml'));
  const after = await artifacts();
  say('the artifacts Lambda runs now (CodeSha256)');
  for (const [name, sha] of Object.entries(after)) {
    const was = before[name];
    console.log(
      `${name.padEnd(32)} ${sha === was ? `unchanged ${sha.slice(0, 12)}…` : `changed   ${was.slice(0, 12)}… → ${sha.slice(0, 12)}…`}`,
    );
  }
} catch (error) {
  if (!(error instanceof Error && 'status' in error)) console.error(error);
  failed = true;
} finally {
  lambda.destroy();
  await moto.stop();
  if (keep) console.log(`\nkept ${repo}`);
  else rmSync(repo, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
