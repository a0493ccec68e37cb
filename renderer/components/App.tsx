// The window: contexts on the left, the chart list, the open chart; a header with search,
// new chart, undo and the progress bar. On a narrow window (800×600) the contexts fold away
// behind a button and the list narrows, so the chart keeps the room.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { Sidebar } from './Sidebar.tsx';
import { ChartList } from './ChartList.tsx';
import { ChartView } from './ChartView.tsx';
import { SearchBox } from './SearchBox.tsx';
import { NewChartForm } from './NewChartForm.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { Notices } from './Notices.tsx';
import { SHORTCUTS, useShortcuts } from './useShortcuts.ts';
import { BackupStatusLine } from './BackupStatusLine.tsx';
import { DamageAlert } from './DamageAlert.tsx';
import { BackupViews } from './BackupViews.tsx';
import { HealthView } from './HealthView.tsx';
import { InsightsView } from './InsightsView.tsx';
import { ChartProgress } from './ChartProgress.tsx';
import { startInsightUpdates } from '../stores/insightsStore.ts';
import { ContextMoveDialogs } from './ContextMoveDialogs.tsx';
import { DraftsOfRemovedCharts } from './DraftsOfRemovedCharts.tsx';

export function App() {
  const stores = useStores();
  const { editor, undo, selection, notifications } = stores;
  const lastUndo = useStore(undo, (s) => s.entries.at(-1));
  const [creating, setCreating] = useState(false);
  const [help, setHelp] = useState(false);
  const [contextsShown, setContextsShown] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const addStepRef = useRef<HTMLInputElement>(null);
  const helpRef = useRef<HTMLButtonElement>(null);
  const state = useRef({ help, creating });
  state.current = { help, creating };

  useEffect(() => {
    void stores.contexts.getState().load();
    void stores.charts.getState().load(null);
  }, [stores]);
  // The health, insights and progress views: read again when their figures move, and following the context picked in the sidebar.
  const view = useStore(stores.insights, (s) => s.view);
  const scope = useStore(stores.charts, (s) => s.scope);
  useEffect(() => startInsightUpdates(stores.transport, stores.insights, stores.client), [stores]);
  useEffect(() => {
    const shown = stores.insights.getState();
    if ((shown.view === 'health' || shown.view === 'insights') && shown.scope !== scope) void shown.show(shown.view, scope);
  }, [stores, scope]);

  const runUndo = async () => {
    const done = await editor.undo();
    if (done === null) notifications.getState().notify('info', 'Nothing to undo.');
    else if (!done.result.ok) notifications.getState().notify('error', `Could not undo: ${done.label}`, done.result.error);
  };

  const actions = useMemo(
    () => ({
      newChart: () => setCreating(true),
      newStep: () => addStepRef.current?.focus(),
      search: () => searchRef.current?.focus(),
      undo: () => void runUndo(),
      help: () => setHelp((h) => !h),
      escape() {
        if (!state.current.help) return false;
        setHelp(false);
        helpRef.current?.focus();
        return true;
      },
      complete(stepName: string | null) {
        const chart = findChartOf(selection.getState().tree, stepName);
        const step = chart?.steps.find((s) => s.name === stepName);
        if (!chart || !step) return notifications.getState().notify('info', 'Move the focus to a step (Tab) to complete it.');
        const focused = document.activeElement as HTMLElement | null;
        void (step.completed ? editor.reopenStep(chart, step) : editor.completeStep(chart, step)).then((r) => {
          if (!r.ok) notifications.getState().notify('error', 'The step could not be changed', r.error);
          // Focus stays where it was (the step's checkbox, or the step), found again after the refresh.
          requestAnimationFrame(() => {
            const row = document.querySelector(`[data-step="${CSS.escape(step.name)}"]`) as HTMLElement | null;
            const again = focused?.tagName === 'INPUT' ? (row?.querySelector('input[type="checkbox"]') as HTMLElement | null) : row;
            (again ?? row)?.focus();
          });
        });
      },
    }),
    [stores],
  );
  useShortcuts(actions);

  return (
    <div className={`app${contextsShown ? ' contexts-shown' : ''}`}>
      <header className="topbar">
        <button type="button" className="contexts-toggle" aria-expanded={contextsShown} aria-controls="contexts-sidebar" onClick={() => setContextsShown((s) => !s)} title="Show or hide the contexts">
          ☰ Contexts
        </button>
        <h1>Tension Desk</h1>
        <SearchBox ref={searchRef} />
        <button type="button" className="primary" onClick={() => setCreating(true)} title="New chart (N)">
          New chart
        </button>
        <button type="button" className="undo-button" onClick={() => void runUndo()} disabled={!lastUndo} title={lastUndo ? `Undo: ${lastUndo.label} (Ctrl+Z)` : 'Nothing to undo'}>
          {lastUndo ? `Undo: ${lastUndo.label}` : 'Undo'}
        </button>
        <button ref={helpRef} type="button" onClick={() => setHelp((h) => !h)} aria-expanded={help} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
        <BackupStatusLine />
        <ProgressBar />
      </header>
      <Notices />
      <DamageAlert />
      <DraftsOfRemovedCharts />
      {help && (
        <aside className="shortcuts" aria-label="Keyboard shortcuts">
          <div className="shortcuts-head">
            <h2>Keyboard shortcuts</h2>
            <button type="button" className="icon" aria-label="Close the shortcuts" onClick={() => (setHelp(false), helpRef.current?.focus())}>
              ×
            </button>
          </div>
          <dl>
            {SHORTCUTS.map(([key, what]) => (
              <div key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </aside>
      )}
      <main className="panes">
        <Sidebar />
        {view === 'charts' && (
          <>
            <ChartList />
            <ChartView ref={addStepRef} onNewChart={() => setCreating(true)} />
          </>
        )}
        {view === 'health' && <HealthView />}
        {view === 'insights' && <InsightsView />}
        {view === 'progress' && <ChartProgress />}
      </main>
      {creating && <NewChartForm onClose={() => setCreating(false)} />}
      <BackupViews />
      <ContextMoveDialogs />
    </div>
  );
}

type Tree = NonNullable<ReturnType<ReturnType<typeof useStores>['selection']['getState']>['tree']>;

function findChartOf(tree: Tree | null, stepName: string | null): Tree['chart'] | undefined {
  if (!tree || !stepName) return undefined;
  if (tree.chart.steps.some((s) => s.name === stepName)) return tree.chart;
  for (const child of tree.children) {
    const found = findChartOf(child, stepName);
    if (found) return found;
  }
  return undefined;
}
