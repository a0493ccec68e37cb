// The engine, as the commands load it when they run (`tension --help` does not): with the chart
// list's summaries, all that `tension chart list` needs. One lazily loaded module, so the bundle
// keeps what it reaches in a chunk or two instead of many small ones (each file a fresh process
// loads costs it about a millisecond). What the other commands need: commandModules.ts.
export { Engine } from '../core/engine.ts';
export { listCharts } from '../core/charts/chartSummaries.ts';
export { requestFingerprint, runAsOperation } from '../core/operationIntent.ts';
