// A worker thread's bootstrap for development and tests: registers tsx, then imports the
// TypeScript module named in workerData.module (the app runs the bundled out/engineWorker.cjs).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
