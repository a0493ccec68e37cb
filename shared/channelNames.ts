// The names on the IPC wire, without their schemas: what preload needs (it allows only these)
// without bundling zod into the preload script. contract.ts checks, at compile time, that this
// list and its channel table name exactly the same channels.

export const CHANNEL_NAME_LIST = [
  'app.info',
  'contexts.list',
  'contexts.create',
  'charts.list',
  'charts.changes',
  'charts.firstRows',
  'charts.tree',
  'charts.search',
  'charts.history',
  'charts.asOf',
  'charts.create',
  'charts.move',
  'charts.archive',
  'charts.unarchive',
  'charts.remove',
  'steps.add',
  'steps.edit',
  'steps.move',
  'steps.complete',
  'steps.reopen',
  'steps.remove',
  'steps.restore',
  'steps.telescope',
  'reality.add',
  'reality.edit',
  'outcome.set',
  'outcome.complete',
  'outcome.reopen',
  'due.set',
  'backups.list',
  'backups.create',
  'backups.verify',
  'backups.restore',
  'health.verify',
  'recovery.run',
  // shared/contractBackups.ts
  'backups.overview',
  'backups.verifyAll',
  'backups.policy',
  'backups.policyPreview',
  'backups.setPolicy',
  'backups.restorePreview',
  'backups.restoreFrom',
  'backups.undoRestore',
  'deleted.list',
  'deleted.restore',
  'recovery.analyze',
  'recovery.apply',
  'recovery.automatic',
  'recovery.files',
  'recovery.readFile',
  // shared/contractInsights.ts
  'health.report',
  'health.check',
  'health.freeSpace',
  'insights.context',
  'insights.chart',
  // shared/contractContexts.ts
  'contexts.rename',
  'contexts.mergePreview',
  'contexts.merge',
  'contexts.undoMerge',
  'contexts.delete',
  'contexts.restoreDeleted',
  'charts.movePreview',
  'charts.moveMany',
  'charts.export',
  'imports.preview',
  'imports.apply',
  'imports.undo',
] as const;

export type ListedChannelName = (typeof CHANNEL_NAME_LIST)[number];

export const EVENT_NAMES = ['data.changed', 'data.loading', 'health.changed', 'backup.progress', 'recovery.progress', 'backup.status', 'recovery.repaired', 'insights.changed', 'health.notice'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** One invoke channel carries every request; each event has a channel of its own. */
export const INVOKE_CHANNEL = 'tension:invoke';
/** The preload's own request for one part of a large answer main holds (shared/encodedAnswer.ts); never the page's. */
export const ANSWER_PART_CHANNEL = 'tension:answer-part';
export const eventChannel = (event: EventName) => `tension:event:${event}`;
