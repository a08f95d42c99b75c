// The services' end-to-end tests (`npm run test:e2e` in a service): run by `shipgraph deploy` after it
// deploys, against the stage it deployed, with the stacks' outputs in SHIPGRAPH_OUTPUT_* variables.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vitest's cache would land in the service's own node_modules, which the Serverless Framework zips up:
  // every e2e run would change the artifact and force a real redeploy. Keep it at the workspace root.
  cacheDir: '../../node_modules/.vite-e2e',
  test: { include: ['e2e/**/*.e2e.mjs'], testTimeout: 30_000, fileParallelism: false },
});
