// Engines and peer servers a test opened, closed after it (newest first) whatever the outcome,
// so a failing assertion never leaves a process or a lock behind for the next test.
import { afterEach } from 'vitest';
import type { Engine, EngineOptions } from '../../electron/core/engine.ts';
import type { DataLayout } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs } from './tempRoot.ts';

const open: { close(): Promise<unknown> }[] = [];

/** Registers the cleanup in the calling test file. */
export function closeAfterEachTest(): void {
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close().catch(() => undefined);
    removeTempDirs();
  });
}

export function tracked<T extends { close(): Promise<unknown> }>(thing: T): T {
  open.push(thing);
  return thing;
}

export async function trackedEngine(layout: DataLayout, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return tracked(await openEngine(layout, options));
}
