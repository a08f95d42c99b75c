#!/usr/bin/env node
// The shipgraph binary: runs the bundled CLI (dist/bundle, built by scripts/bundle.mjs).
import * as module from 'node:module';

// Node 22.1+ keeps compiled code between runs; Node 20 has no such cache.
if (typeof module.enableCompileCache === 'function') module.enableCompileCache();

const { dropWritesToClosedPipes, main } = await import('../dist/bundle/shipgraph.js');
dropWritesToClosedPipes();
process.exitCode = await main(process.argv.slice(2));
