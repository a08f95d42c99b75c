#!/usr/bin/env node
// `npm run demo`: shipgraph's main job on the bundled example, against moto on 127.0.0.1.
// Deploys the example from scratch, then changes the shared library and shows that only its
// dependents redeploy. Pass --keep to keep the scratch repository.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commitChange, scratchExample } from './example/scratch.mjs';
import { ensureMoto, startMoto, useMoto } from './moto/moto.mjs';

const BIN = fileURLToPath(new URL('../packages/cli/bin/shipgraph.js', import.meta.url));
const keep = process.argv.includes('--keep');
const say = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);

ensureMoto();
const moto = await startMoto();
const env = useMoto({ ...process.env, STAGE: 'staging' }, moto.endpoint);
for (const name of ['CODEBUILD_WEBHOOK_TRIGGER', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'FORCE_DEPLOY_ALL'])
  delete env[name];
const repo = scratchExample();
const shipgraph = (...args) => execFileSync('node', [BIN, ...args], { cwd: repo, env, stdio: 'inherit' });
// The demo deploys without the e2e stage (the test suite runs it: packages/cli/test/example.aws.test.ts).
// Seen here: once the e2e tests have published to the notifications topic, moto, which cannot run the
// subscribed Lambda without Docker, stalls the next deploy of that service.
const deploy = () => shipgraph('deploy', '--skip-e2e');

let failed = false;
try {
  say(`moto is on ${moto.endpoint}; the example is a fresh git repository in ${repo}`);
  say('shipgraph plan — nothing is deployed yet');
  shipgraph('plan');
  say('shipgraph deploy — every service, in dependency order');
  deploy();
  say('shipgraph deploy again — nothing changed, nothing deploys');
  deploy();
  commitChange(
    repo,
    'libs/shared/src/index.mjs',
    '// a change to the shared library\n',
    'change the shared library',
  );
  say('after a commit that changes libs/shared: shipgraph plan --explain');
  shipgraph('plan', '--explain');
  say('shipgraph deploy — only the services that use the library (and what depends on them)');
  deploy();
} catch {
  failed = true;
} finally {
  await moto.stop();
  if (keep) console.log(`\nkept ${repo}`);
  else rmSync(repo, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
