// The engine's worker thread as tests and the bench start it: from the TypeScript source,
// through tsx (the app starts the bundled out/engineWorker.cjs instead).
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { EngineWorkerEntry } from '../../electron/app/engineWorkerClient.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

export const tsEngineWorkerEntry: EngineWorkerEntry = {
  script: pathToFileURL(path.join(here, 'tsWorker.mjs')),
  module: pathToFileURL(path.resolve(here, '../../electron/app/engineWorker.ts')).href,
};
