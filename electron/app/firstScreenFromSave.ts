// The window's first two requests (the sidebar's contexts, the first rows of every context's
// chart list) answered from the screen saved at the last close while the engine loads the
// contexts, when the data folder is exactly as it was then (core/firstScreenStamp.ts). At 100k
// charts the load takes 4-5 s and holds the engine's thread; these answers are given by the
// thread that started the engine (the app's main thread), in a few milliseconds. Every other
// request waits for the engine as before.
//
// The engine's services read the saved screen before they open the engine, so that it is
// exactly what the close left, and hand it over with the news that they are up
// (EngineHost.firstScreen): the main thread never reads the data folder itself. Once the
// contexts are loaded, the services make the real answers and tell each context that differs to
// the windows as changed (data.changed), and the windows read it again. The giving stops when
// the services say the lists are ready (EngineHost.listsReady), before they tell any difference.
import type { EventName, Events, IpcResult } from '../../shared/contract.ts';
import { FIRST_FILTER, FIRST_ROWS, FIRST_SORT, type FirstScreenAnswers } from '../../shared/firstScreen.ts';
import type { EngineHost } from './engineServices.ts';

type Handle = (channel: string, input: unknown) => Promise<IpcResult<unknown>>;
type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

/** The started engine's host, giving the saved first screen it handed over (if any) until it has the lists ready. */
export function givingFirstScreen<H extends EngineHost>(started: H): H {
  const saved = started.firstScreen;
  if (saved === undefined) return started;
  let giving: FirstScreenAnswers | undefined = saved;
  void started.listsReady.then(() => (giving = undefined));
  const fromSave = (channel: string, input: unknown) => (giving === undefined ? undefined : savedAnswer(giving, channel, input));
  return {
    ...started,
    handle: (channel, input) => fromSave(channel, input) ?? started.handle(channel, input),
    handleForWindow: (channel, input) => fromSave(channel, input) ?? started.handleForWindow(channel, input),
  };
}

/** The saved answer to this request; undefined for any request but the window's first two. */
function savedAnswer(saved: FirstScreenAnswers, channel: string, input: unknown): Promise<IpcResult<unknown>> | undefined {
  if (channel === 'contexts.list') return Promise.resolve({ ok: true, value: saved.contexts });
  if (channel === 'charts.firstRows' && isFirstRowsRequest(input)) return Promise.resolve({ ok: true, value: saved.firstRows });
  return undefined;
}

/** Whether a charts.firstRows request is the window's first one: every context, the first sort, filter and count. */
export function isFirstRowsRequest(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const asked = input as Record<string, unknown>;
  return Object.keys(asked).length === 3 && asked.count === FIRST_ROWS && asked.sort === FIRST_SORT && asked.filter === FIRST_FILTER;
}

/** The real answers to the window's first two requests, as the engine gives them now. */
export async function firstScreenAnswers(handle: Handle): Promise<FirstScreenAnswers> {
  const contexts = await handle('contexts.list', {});
  const firstRows = await handle('charts.firstRows', { count: FIRST_ROWS, sort: FIRST_SORT, filter: FIRST_FILTER });
  if (!contexts.ok) throw new Error(contexts.error.message);
  if (!firstRows.ok) throw new Error(firstRows.error.message);
  return { contexts: contexts.value as FirstScreenAnswers['contexts'], firstRows: firstRows.value as FirstScreenAnswers['firstRows'] };
}

/** Once the contexts are loaded: each context whose real answer differs from the one given is told as changed. */
async function tellWhatDiffered(given: FirstScreenAnswers, handle: Handle, emit: Emit, seqOf: (context: string) => number): Promise<void> {
  const real = await firstScreenAnswers(handle);
  for (const context of differingContexts(given, real)) emit('data.changed', { context, seq: seqOf(context), external: [] });
}

/** What comparing the given screen with the real one needs from the services. */
export interface ComparisonOptions {
  readonly handle: Handle;
  readonly emit: Emit;
  readonly log: (message: string, error?: unknown) => void;
  /** The sequence number of a loaded context, told with its change. */
  readonly seqOf: (context: string) => number;
  /** True once the services are closing: nothing is compared then. */
  readonly closing: () => boolean;
}

/**
 * Compares the screen given from the save with the real answers once the lists are ready
 * (tellWhatDiffered). When the comparison itself fails, what was given may differ unchecked:
 * every view is told to read again (data.changed of '', every context). Never rejects.
 */
export function compareWhenReady(given: FirstScreenAnswers, listsReady: Promise<void>, options: ComparisonOptions): Promise<void> {
  const { handle, emit, log, seqOf, closing } = options;
  return listsReady
    .then(() => (closing() ? undefined : tellWhatDiffered(given, handle, emit, seqOf)))
    .catch((error: unknown) => {
      log('Comparing the first screen given from the last close with the data failed; every view is read again.', error);
      emit('data.changed', { context: '', seq: 0, external: [] });
    });
}

/**
 * The contexts whose answer differs: in the sidebar (added, gone, other figures or health), or,
 * when the first rows differ, each context of a row on either side (a row can only change
 * through its own context).
 */
function differingContexts(given: FirstScreenAnswers, real: FirstScreenAnswers): Set<string> {
  const differing = new Set<string>();
  const byName = (list: FirstScreenAnswers['contexts']) => new Map(list.map((c) => [c.context, JSON.stringify(c)]));
  const before = byName(given.contexts);
  const now = byName(real.contexts);
  for (const [name, text] of now) if (before.get(name) !== text) differing.add(name);
  for (const name of before.keys()) if (!now.has(name)) differing.add(name);
  if (JSON.stringify(given.firstRows) !== JSON.stringify(real.firstRows)) {
    // Runs of [context, count] (toChartListColumns).
    for (const answer of [given.firstRows, real.firstRows]) {
      for (let run = 0; run < answer.rows.contexts.length; run += 2) differing.add(String(answer.rows.contexts[run]));
    }
  }
  return differing;
}
