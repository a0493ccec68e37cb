import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Renderer component tests are .tsx and pick happy-dom with a `// @vitest-environment` comment.
    include: ['test/**/*.test.{ts,tsx}'],
    // Torture tests spawn real processes and fsync for real: give them room, and keep
    // two workers so a 2-core machine is not oversubscribed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
