#!/usr/bin/env node
// A stand-in deploy for the avoided-work benchmark: it "deploys" the service's src/ into a cloud folder
// beside the repository and, like real deploy tools, finds nothing to change when the content is the
// one deployed already (a quick no-op), and takes its time when it is not.
//
//   node fake-cloud.mjs <cloud-dir> <deploy-ms>
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [cloud, deployMs] = process.argv.slice(2);
const service = process.env.SHIPGRAPH_SERVICE;
const hash = createHash('sha256');
// The bundle: the service's own sources and its libraries' (what a bundler would take in).
const sources = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .sort()
        .map((file) => join(dir, file))
    : [];
for (const file of sources('src')) hash.update(file).update(readFileSync(file));
for (const lib of (process.env.BUNDLES ?? '').split(',').filter(Boolean))
  for (const file of sources(join('../../libs', lib, 'src'))) hash.update(file).update(readFileSync(file));
const artifact = hash.digest('hex');
mkdirSync(cloud, { recursive: true });
const deployed = join(cloud, `${service.replace(/\W/g, '_')}-${process.env.SHIPGRAPH_STAGE}`);
if (existsSync(deployed) && readFileSync(deployed, 'utf8') === artifact) {
  console.log('No changes to deploy. Deployment skipped.');
} else {
  await new Promise((resolve) => setTimeout(resolve, Number(deployMs)));
  writeFileSync(deployed, artifact);
  console.log(`deployed ${service}`);
}
