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
    // Test files share their worker's module cache (each still gets its own module of test code
    // and its own environment). Isolated, each of the ~190 files paid a fresh process's import of
    // the engine: the whole suite took 691-729 s here, shared 606 s, every test passing either way.
    // What that asks of a test: no vi.mock, no stubbed globals or timers left behind, no module
    // state it relies on being fresh; clean up temp folders, engines and children in its hooks.
    isolate: false,
    // A poll waits for what the app, a watcher or another process will do. On a shared 2-core
    // machine running two test files at once that can take longer than Vitest's 1 s default
    // (CI once saw the New chart dialog still closing after it); a poll ends as soon as its
    // condition holds, so the longer bound costs a passing test nothing.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
