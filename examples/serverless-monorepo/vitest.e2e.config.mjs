// The services' end-to-end tests (`npm run test:e2e` in a service): run by `shipgraph deploy` after it
// deploys, against the stage it deployed, with the stacks' outputs in SHIPGRAPH_OUTPUT_* variables.
import { defineConfig } from 'vitest/config';

// shipgraph asks for JUnit XML here, to report one case per test (`deploy --junit`).
const junit = process.env.SHIPGRAPH_E2E_JUNIT;

export default defineConfig({
  // Vitest's cache would land in the service's own node_modules; keep it at the workspace root.
  cacheDir: '../../node_modules/.vite-e2e',
  test: {
    include: ['e2e/**/*.e2e.mjs'],
    testTimeout: 30_000,
    fileParallelism: false,
    reporters: junit === undefined ? ['default'] : ['default', 'junit'],
    ...(junit === undefined ? {} : { outputFile: { junit } }),
  },
});
