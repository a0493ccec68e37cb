// Everything the app does with its data, started and stopped as one: the storage engine opened
// on the data folder the CLI would use from here, the backup timer and the scheduled check, the
// IPC handler table, live updates from other programs, and the search indexes built a slice at
// a time. Plain Node and thread-agnostic: the app runs it in a worker thread of its own
// (engineWorker.ts), so that an open, a context-file rewrite or a backup never holds the main
// process's event loop (issue 15); tests and the browser bridge may run it in their own thread.
import { Engine, type EngineOptions } from '../core/engine.ts';
import { DataRootWatcher, type ContextChange, type WatcherOptions } from '../core/dataRootWatcher.ts';
import { checkDataFolder } from '../core/dataFolder.ts';
import { readyForChangesInSlices, warmSearchIndexes } from '../core/searchWarmUp.ts';
import { prepareFirstScreen } from '../core/firstScreen.ts';
import { saveFirstScreen } from '../core/savedFirstScreen.ts';
import { readSavedFirstScreen } from '../core/firstScreenStamp.ts';
import type { FirstScreenAnswers } from '../../shared/firstScreen.ts';
import { compareWhenReady, firstScreenAnswers } from './firstScreenFromSave.ts';
import { existingHealthMonitorOf } from '../core/health/healthMonitor.ts';
import { createHandlerTable } from '../ipc/handlerTable.ts';
import { startBackgroundWork, type BackgroundWorkOptions } from './backgroundWork.ts';
import { appDataLayout, type DataLocationInput } from './dataLocation.ts';
import type { EncodedAnswer } from '../../shared/encodedAnswer.ts';
import { byteSize } from '../../shared/byteSize.ts';
import type { EventName, Events, IpcResult } from '../../shared/contract.ts';

/** What the services need to start; plain data, so that it can cross into a worker thread. */
export interface EngineServicesConfig {
  readonly dataLocation: DataLocationInput;
  /** The app's version, answered by app.info. */
  readonly version: string;
  /** Extra engine options (tests: the rewrite delay). */
  readonly engineOptions?: Partial<EngineOptions>;
  readonly watcherOptions?: WatcherOptions;
  /** The backup timer and the scheduled check (tests: their delays). */
  readonly backgroundOptions?: BackgroundWorkOptions;
}

/** Where the services report: events for the windows, and lines for the log. */
export interface EngineServicesOutput {
  readonly emit: <E extends EventName>(event: E, payload: Events[E]) => void;
  readonly log: (message: string, error?: unknown) => void;
}

/** The running services, as the shell sees them, in whichever thread they run. */
export interface EngineHost {
  /** Answers one request. The caller has checked that it came from one of the app's windows. */
  handle(channel: string, input: unknown): Promise<IpcResult<unknown>>;
  /**
   * The same, for an answer that goes on to a window: a large one may come as JSON bytes
   * (shared/encodedAnswer.ts), which main passes on without turning them into objects.
   */
  handleForWindow(channel: string, input: unknown): Promise<IpcResult<unknown> | EncodedAnswer>;
  /** Settles once live updates have started (or failed to; that is logged). */
  readonly watching: Promise<void>;
  /**
   * The first screen saved at the last close, when the data folder was exactly as then at the
   * start: the starting thread gives it to the window until listsReady (firstScreenFromSave.ts).
   * Compared with the real answers once the contexts are loaded; a difference is told as data.changed.
   */
  readonly firstScreen?: FirstScreenAnswers;
  /** Settles once the window's first screen is ready from the engine: every context loaded and its chart list made (or that failed, or the close came first). */
  readonly listsReady: Promise<void>;
  /** Stops the timers and live updates, then flushes every pending rewrite and closes the engine. Rejects with the flush's error. */
  close(): Promise<void>;
}

export interface EngineServices extends EngineHost {
  readonly engine: Engine;
}

/** Opens the engine and starts the rest; rejects (with nothing started) when the data folder cannot be opened. */
export async function startEngineServices(config: EngineServicesConfig, output: EngineServicesOutput): Promise<EngineServices> {
  const { emit, log } = output;
  const layout = appDataLayout(config.dataLocation);
  // A data folder that is a file, or where no folder can be made (/proc), is refused now.
  if (!config.engineOptions?.fs) checkDataFolder(layout, { create: config.engineOptions?.readOnly !== true });
  // Read before the open, which may write (an interrupted commit finished): the folder as the last
  // close left it. Not for an engine opened read-only on purpose (its health is not what was
  // saved), nor on a file-system seam (tests).
  const given = config.engineOptions?.readOnly !== true && config.engineOptions?.fs === undefined ? readSavedFirstScreen(layout, config.version) : undefined;
  const engine = await Engine.open({
    layout,
    origin: 'app',
    onBackgroundError: (error) => log(`Writing a context file failed (every change is kept in the journal): ${error.message}`),
    // A window shows how far a long load has gone (its chart list waits for it).
    onReadProgress: ({ context, file, kind, doneBytes, totalBytes }) =>
      emit('data.loading', { context, task: `${kind === 'journal' ? `Reading the history of ${file}` : `Reading ${file}`} (${byteSize(totalBytes)})`, done: doneBytes, total: totalBytes }),
    ...config.engineOptions,
  });
  let closing = false;
  // Backups on their schedule and the check of the data, from now until the close.
  const background = startBackgroundWork(engine, emit, log, config.backgroundOptions);
  // The sender was checked where the request arrived (the main thread knows the windows).
  const table = createHandlerTable({ engine, isOwnSender: () => true, version: config.version, emit, background });
  const checkedSender = { id: 0, url: '' };

  function onChange(change: ContextChange): void {
    emit('data.changed', { context: change.context, seq: change.seq, external: change.findings });
    // Verified again only when another program changed it: our own commits and rewrites move the
    // journal head too, and a verification reads the whole file and journal (10-15 s at 100k
    // charts, holding the engine: each commit of a burst waited for the one the last set off).
    if (change.byAnother) {
      background.outsideChange(change.context);
      // Taking in its rewrite may have left the state's map shared with the file's view: copied
      // now in slices, not by the next change in one piece (searchWarmUp.ts).
      readyForChangesInSlices(engine, change.context, { isStopped: () => closing }).catch((error: unknown) => log(`Preparing context ${change.context} for changes failed; its next change prepares it.`, error));
    }
    if (change.findings.length === 0) return;
    engine.listContexts().then(
      (contexts) => {
        const summary = contexts.find((c) => c.context === change.context);
        if (summary) emit('health.changed', { context: summary.context, health: summary.health, findings: summary.findings.map((f) => f.message) });
      },
      (error: unknown) => log(`Reading the health of context ${change.context} failed.`, error),
    );
  }

  const handle = (channel: string, input: unknown) => table.handle(channel, input, checkedSender);
  // What the window asks for first, made ready while it loads (firstScreen.ts). Begun after this
  // turn: loading a context holds the thread (4-5 s at 100k charts), and the thread that started
  // the services hears they are up first (the window, loading meanwhile, is shown then, and the saved first screen given).
  const listsReady = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => prepareFirstScreen(engine, () => closing))
    .catch((error: unknown) => log('Preparing the chart lists failed; the window\'s first request prepares them instead.', error));
  // Rewrites wait for it: the first of a peer's file starts its journal, which holds the
  // engine's thread for seconds at 100k charts and came between the load and the first list.
  engine.holdScheduledRewritesUntil(listsReady);
  // The saved first screen given meanwhile (firstScreenFromSave.ts), compared with the real one.
  const compared = given === undefined
    ? Promise.resolve()
    : compareWhenReady(given, listsReady, { handle, emit, log, seqOf: (context) => engine.loadedStore(context)?.seq ?? 0, closing: () => closing });
  const watcher = new DataRootWatcher(engine, onChange, (error) => log('Live updates: a refresh failed.', error), config.watcherOptions);
  const watching = watcher.start().catch((error: unknown) => log('Live updates could not start; changes by other tools show after a restart.', error));
  // Then the search indexes, a slice at a time: the first search finds them ready.
  void Promise.all([watching, listsReady])
    .then(() => warmSearchIndexes(engine, { isStopped: () => closing }))
    .catch((error: unknown) => log('Preparing search failed; the first search prepares it instead.', error));

  return {
    engine,
    watching,
    ...(given === undefined ? {} : { firstScreen: given }),
    listsReady,
    handle,
    // In the thread that answers, there is no crossing to spare: objects as they are.
    handleForWindow: handle,
    async close() {
      closing = true;
      await background.stop().catch((error: unknown) => log('Stopping the backup timer failed.', error));
      await listsReady;
      await compared;
      await watching;
      await watcher.stop().catch((error: unknown) => log('Stopping live updates failed.', error));
      // The insights rollups written just after an answer (InsightTracker.saveSoon): a cache, but the next start reads on from it.
      await existingHealthMonitorOf(engine)?.insights.settled();
      // The context files written out, then the first screen saved for the next start (savedFirstScreen.ts).
      // A flush that fails is the close's to report, below.
      const flushed = await engine.flush().then(() => true, () => false);
      if (flushed) await saveFirstScreen(engine, config.version, () => firstScreenAnswers(handle)).catch((error: unknown) => log('Saving the first screen for the next start failed; the next start waits for the contexts to load.', error));
      await engine.close(); // flushes every pending rewrite of the context files
    },
  };
}
