// The services' end-to-end tests (`npm run test:e2e` in a service): run by `shipgraph deploy` after it
// deploys, against the stage it deployed, with the stacks' outputs in SHIPGRAPH_OUTPUT_* variables.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['e2e/**/*.e2e.mjs'], testTimeout: 30_000, fileParallelism: false },
});
