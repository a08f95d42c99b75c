import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but git; `aws` runs against moto, started once for the run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: ['**/*.aws.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'aws',
          include: ['packages/*/test/**/*.aws.test.ts'],
          globalSetup: ['tools/moto/vitest-global-setup.mjs'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
