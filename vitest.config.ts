import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Renderer component tests are .tsx and pick happy-dom with a `// @vitest-environment` comment.
    include: ['test/**/*.test.{ts,tsx}'],
    // The tension command runs from its bundle, rebuilt if a source is newer (test/buildCliOnce.ts).
    globalSetup: ['test/buildCliOnce.ts'],
    // Torture tests spawn real processes and fsync for real: give them room, and keep
    // two workers so a 2-core machine is not oversubscribed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
