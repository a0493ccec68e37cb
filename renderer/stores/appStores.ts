// Every store of the app, made once per transport (the app, each test): stores by concern,
// wired together here and nowhere else.
import type { Transport } from '../transport/transport.ts';
import { createClient } from './client.ts';
import { createNotificationsStore } from './notificationsStore.ts';
import { createContextsStore } from './contextsStore.ts';
import { createChartsStore } from './chartsStore.ts';
import { createSelectionStore } from './selectionStore.ts';
import { createHistoryStore } from './historyStore.ts';
import { createUndoStore } from './undoStore.ts';
import { createChartEditor } from './chartEditor.ts';
import { createDraftsStore } from './draftsStore.ts';
import { createBackupsStore } from './backupsStore.ts';
import { createDeletedStore } from './deletedStore.ts';
import { createRecoveryStore } from './recoveryStore.ts';
import { createBackupPanelsStore } from './backupPanelsStore.ts';
import { createInsightsStore } from './insightsStore.ts';
import { createContextMovesStore } from './contextMovesStore.ts';
import { createClosedChartDrafts } from './closedChartDrafts.ts';

export function createAppStores(transport: Transport) {
  const notifications = createNotificationsStore();
  const client = createClient(transport, notifications);
  const contexts = createContextsStore(client, notifications);
  const charts = createChartsStore(client, notifications);
  const drafts = createDraftsStore();
  const selection = createSelectionStore(client, notifications, drafts);
  const history = createHistoryStore(client);
  const undo = createUndoStore();
  const insights = createInsightsStore(client, notifications);
  const closedChartDrafts = createClosedChartDrafts(client, drafts, selection, notifications);

  /** After a change (ours or another process's) to a context: refresh every view showing it. */
  async function refreshContext(context: string): Promise<void> {
    const scope = charts.getState().scope;
    await Promise.all([
      contexts.getState().load(),
      scope === null || scope === context || context === '' ? charts.getState().load() : Promise.resolve(),
      selection.getState().open && (selection.getState().open?.context === context || context === '') ? selection.getState().reload() : Promise.resolve(),
      history.getState().chart && (history.getState().chart?.context === context || context === '') ? history.getState().reload() : Promise.resolve(),
    ]);
    // Text typed in charts not open now: once the open chart was followed, the others holding drafts are.
    await closedChartDrafts.afterRefresh(context);
  }

  const editor = createChartEditor(client, undo, { afterEdit: refreshContext });
  // Backups, Recently deleted and the recovery wizard: each refreshes the views of a context it changed.
  const backups = createBackupsStore(client, notifications, refreshContext);
  const deleted = createDeletedStore(client, refreshContext);
  const recovery = createRecoveryStore(client, refreshContext);
  const backupPanels = createBackupPanelsStore();
  // Moving charts between contexts, context rename/merge/delete, export and import (issue 12).
  const moves = createContextMovesStore(client, undo, notifications, selection, refreshContext);
  return { transport, client, notifications, contexts, charts, selection, history, undo, drafts, editor, refreshContext, backups, deleted, recovery, backupPanels, insights, moves };
}
export type AppStores = ReturnType<typeof createAppStores>;
