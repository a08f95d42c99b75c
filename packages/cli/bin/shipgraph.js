#!/usr/bin/env node
// The shipgraph binary: runs the compiled CLI.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
