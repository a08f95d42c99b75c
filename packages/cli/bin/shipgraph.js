#!/usr/bin/env node
// The shipgraph binary: runs the compiled CLI.
import { dropWritesToClosedPipes } from '../dist/run/io.js';
import { main } from '../dist/main.js';

dropWritesToClosedPipes();
process.exitCode = await main(process.argv.slice(2));
