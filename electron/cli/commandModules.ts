// What the commands other than `chart list` load from the engine when they run, in one piece:
// one lazily loaded module, so the bundle keeps it in a few chunks beside the engine's, not in
// the twenty small ones a lazy import per module made (each file a fresh process loads costs it
// about a millisecond). `tension --help` and `tension chart list` load none of it.
export * as backupChecking from '../core/backupChecking.ts';
export * as backupDue from '../core/backupDue.ts';
export * as backupListing from '../core/backupListing.ts';
export * as backupPolicy from '../core/backupPolicy.ts';
export * as backupPruning from '../core/backupPruning.ts';
export * as backupRemoval from '../core/backupRemoval.ts';
export * as backupRestore from '../core/backupRestore.ts';
export * as backupRestoring from '../core/backupRestoring.ts';
export * as backups from '../core/backups.ts';
export * as capacity from '../core/health/capacity.ts';
export * as chartService from '../core/charts/chartService.ts';
export * as contextDelete from '../core/contexts/contextDelete.ts';
export * as contextMerge from '../core/contexts/contextMerge.ts';
export * as contextRename from '../core/contexts/contextRename.ts';
export * as exportCharts from '../core/contexts/exportCharts.ts';
export * as healthMonitor from '../core/health/healthMonitor.ts';
export * as history from '../core/history.ts';
export * as importPreview from '../core/contexts/importPreview.ts';
export * as knowledgeGraph from '../core/knowledgeGraph.ts';
export * as recentlyDeleted from '../core/recentlyDeleted.ts';
export * as records from '../core/records.ts';
export * as retiredNameGuard from '../core/contexts/retiredNameGuard.ts';
export * as recover from '../core/recover.ts';
export * as recoveryAnalysis from '../core/recoveryAnalysis.ts';
export * as recoveryChoice from '../core/recoveryChoice.ts';
export * as verify from '../core/verify.ts';
