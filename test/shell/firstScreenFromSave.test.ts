// The window's first screen given from the last close's save while the contexts load
// (firstScreenFromSave.ts, savedFirstScreen.ts). The services run as the app runs them (in
// this thread), each start a fresh engine on the folder, with real CLI processes and a peer's
// plain file writes changing the data while the app is closed.
//
// To see whether an answer came from the save or from the engine (their content is the same
// when all is well), a test edits the saved answers and keeps the stamp: given from the save,
// the edited text shows. This also stands in for the one change the stamp cannot see (another
// program's write within the stamp's clock tick, of the same size), which cannot be made to
// happen on purpose.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineServices, type EngineServices, type EngineServicesConfig } from '../../electron/app/engineServices.ts';
import { compareWhenReady, givingFirstScreen } from '../../electron/app/firstScreenFromSave.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { readDerivedEntry } from '../../electron/core/derivedCache.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { savedFirstScreenFile } from '../../electron/core/firstScreenStamp.ts';
import { FIRST_FILTER, FIRST_ROWS, FIRST_SORT, type FirstScreenAnswers } from '../../shared/firstScreen.ts';
import { fromChartListColumns } from '../../shared/summaryColumns.ts';
import type { EventName } from '../../shared/contract.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';
import { cliOk } from '../helpers/runCli.ts';
import { smallChartRecords } from '../helpers/contextFiles.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import { tsEngineWorkerEntry } from '../helpers/engineWorkerEntry.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';

afterEach(removeTempDirs);

const FIRST_ROWS_ASKED = { count: FIRST_ROWS, sort: FIRST_SORT, filter: FIRST_FILTER };
/** The edited outcome that only a saved screen can hold. */
const EDITED = 'Only in the edited save';

interface Started {
  readonly services: EngineServices;
  readonly events: { event: EventName; context?: string }[];
}

async function start(data: string, options: { fs?: FaultyFileSystem; version?: string } = {}): Promise<Started> {
  const events: { event: EventName; context?: string }[] = [];
  const config: EngineServicesConfig = {
    dataLocation: { argv: ['--data', data], env: {}, cwd: path.dirname(data), home: path.dirname(data) },
    version: options.version ?? 'test',
    backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000 } },
    ...(options.fs ? { engineOptions: { fs: options.fs } } : {}),
  };
  // As the app's shell starts them (lifecycle.ts), in this thread.
  const services = givingFirstScreen(
    await startEngineServices(config, { emit: (event, payload) => events.push({ event, ...('context' in payload && typeof payload.context === 'string' ? { context: payload.context } : {}) }), log: () => undefined }),
  );
  return { services, events };
}

/** The window's first two requests, asked the moment the services have started. */
async function firstScreen(services: EngineServices): Promise<{ outcomes: string[]; contexts: { context: string; charts: number }[] }> {
  const [contexts, rows] = await Promise.all([services.handle('contexts.list', {}), services.handle('charts.firstRows', FIRST_ROWS_ASKED)]);
  if (!contexts.ok || !rows.ok) throw new Error('a first request failed');
  const value = rows.value as FirstScreenAnswers['firstRows'];
  return {
    outcomes: fromChartListColumns(value.rows).map((r) => r.desiredOutcome).sort(),
    contexts: (contexts.value as FirstScreenAnswers['contexts']).map((c) => ({ context: c.context, charts: c.charts })),
  };
}

/** The saved screen's answers edited (a chart's outcome, a context's count), its stamp kept. */
function editSavedScreen(data: string): void {
  const file = path.join(data, '.history', 'first-screen.cache.json');
  const text = fs.readFileSync(file, 'utf8');
  const end = text.indexOf('\n');
  const answers = JSON.parse(text.slice(end + 1)) as { contexts: { charts: number }[]; firstRows: { rows: { outcomes: string[] } } };
  answers.firstRows.rows.outcomes[0] = EDITED;
  for (const context of answers.contexts) context.charts += 100;
  fs.writeFileSync(file, `${text.slice(0, end)}\n${JSON.stringify(answers)}`);
}

/** A folder with a chart in each of two contexts, made by real CLI processes, opened and closed once by the app (which saves the screen). */
async function folderSavedByTheApp(): Promise<string> {
  const data = path.join(tempDir('tension-first-save-'), '.coaia');
  cliOk(['chart', 'create', '--context', 'work', '--outcome', 'Ship the book', '--reality', 'r'], data);
  cliOk(['chart', 'create', '--context', 'home', '--outcome', 'Paint the house', '--reality', 'r'], data);
  const first = await start(data);
  await first.services.close();
  return data;
}

describe('the first screen given from the last close\'s save', () => {
  it('is saved at the close and given at the next start; the real answers, once loaded, are the same and nothing is told', async () => {
    const data = await folderSavedByTheApp();
    const layout = resolveLayout({ data });
    const saved = readDerivedEntry(realFileSystem, path.join(layout.root, '.history', 'first-screen.cache.json'));
    expect(saved, 'saved at the close').toBeDefined();

    const again = await start(data);
    let given;
    try {
      given = await firstScreen(again.services);
      expect(given.outcomes).toEqual(['Paint the house', 'Ship the book']);
      expect(given.contexts).toEqual([{ context: 'home', charts: 1 }, { context: 'work', charts: 1 }]);
    } finally {
      await again.services.close(); // waits for the comparison with the real answers
    }
    expect(again.events.filter((e) => e.event === 'data.changed')).toEqual([]);
    expect(savedFirstScreenFile(layout)).toBe(path.join(layout.root, '.history', 'first-screen.cache.json'));
  }, 60_000);

  it('is what the window is given before the contexts load, and a difference from the real answers is told to the windows (the race the stamp cannot see, simulated by an edited save)', async () => {
    const data = await folderSavedByTheApp();
    editSavedScreen(data);
    const again = await start(data);
    try {
      const given = await firstScreen(again.services);
      // From the save: the edited outcome and counts, which no context holds.
      expect(given.outcomes).toContain(EDITED);
      expect(given.contexts.map((c) => c.charts)).toEqual([101, 101]);
      // Once loaded, the real answers, and each context that differed is told as changed.
      await again.services.engine.read('work', () => undefined);
      await again.services.engine.read('home', () => undefined);
      const started = Date.now();
      while (again.events.filter((e) => e.event === 'data.changed').length < 2 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(new Set(again.events.filter((e) => e.event === 'data.changed').map((e) => e.context))).toEqual(new Set(['home', 'work']));
      const real = await firstScreen(again.services);
      expect(real.outcomes).toEqual(['Paint the house', 'Ship the book']);
      expect(real.contexts.map((c) => c.charts)).toEqual([1, 1]);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  // Each change is made while the app is closed, after the save was edited: a screen given from
  // the save would show the edited outcome; the real one shows the change.
  const changesWhileClosed: [string, (data: string) => void, string][] = [
    ['a chart made by a real CLI process', (data) => void cliOk(['chart', 'create', '--context', 'work', '--outcome', 'Made by the CLI', '--reality', 'r'], data), 'Made by the CLI'],
    [
      'a peer rewriting a context file in place (as the MCP memory server writes)',
      (data) => {
        const file = contextPaths(resolveLayout({ data }), 'home').file;
        const lines = fs.readFileSync(file, 'utf8');
        fs.writeFileSync(file, `${lines}${smallChartRecords('peer1', 'home', 'Made by a peer').map((r) => JSON.stringify(r)).join('\n')}\n`);
      },
      'Made by a peer',
    ],
    [
      'a new context file written by a peer',
      (data) => fs.writeFileSync(contextPaths(resolveLayout({ data }), 'garden').file, `${smallChartRecords('peer2', 'garden', 'In a new context').map((r) => JSON.stringify(r)).join('\n')}\n`),
      'In a new context',
    ],
  ];
  for (const [change, make, outcome] of changesWhileClosed) {
    it(`is not given after ${change} while the app was closed`, async () => {
      const data = await folderSavedByTheApp();
      editSavedScreen(data);
      make(data);
      const again = await start(data);
      try {
        const given = await firstScreen(again.services);
        expect(given.outcomes).not.toContain(EDITED);
        expect(given.outcomes).toContain(outcome);
      } finally {
        await again.services.close();
      }
    }, 60_000);
  }

  it('is saved anew at a close after the app\'s own change, and given at the start after it', async () => {
    const data = await folderSavedByTheApp();
    const second = await start(data);
    try {
      const made = await second.services.handle('charts.create', { context: 'work', outcome: 'Made in the app', reality: ['r'] });
      expect(made.ok).toBe(true);
    } finally {
      await second.services.close();
    }
    editSavedScreen(data);
    const third = await start(data);
    try {
      const given = await firstScreen(third.services);
      // Given from the save (the edit shows), and the save was made after the app's change.
      expect(given.outcomes).toContain(EDITED);
      expect(given.outcomes.filter((o) => o !== EDITED).length + 1).toBe(3);
      expect(given.contexts.find((c) => c.context === 'work')?.charts).toBe(102);
    } finally {
      await third.services.close();
    }
  }, 60_000);

  it('is saved for a peer\'s folder the app opened for the first time, and given at the next start', async () => {
    const data = path.join(tempDir('tension-first-peer-'), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    const records = [...smallChartRecords('a1', 'default', 'Written by a peer'), ...smallChartRecords('a2', 'default', 'Also by a peer')];
    fs.writeFileSync(path.join(data, 'charts.jsonl'), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const first = await start(data);
    await first.services.close();
    editSavedScreen(data);
    const again = await start(data);
    try {
      expect((await firstScreen(again.services)).outcomes).toContain(EDITED);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  it('is not given by another version of the app (its answers may be of another shape), which saves its own at its close', async () => {
    const data = await folderSavedByTheApp();
    editSavedScreen(data);
    const newer = await start(data, { version: 'test-newer' });
    try {
      expect((await firstScreen(newer.services)).outcomes).toEqual(['Paint the house', 'Ship the book']);
    } finally {
      await newer.services.close();
    }
    editSavedScreen(data);
    const again = await start(data, { version: 'test-newer' });
    try {
      expect((await firstScreen(again.services)).outcomes).toContain(EDITED);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  it('is ignored when the saved file is damaged, and the start answers from the data', async () => {
    const data = await folderSavedByTheApp();
    const file = path.join(data, '.history', 'first-screen.cache.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.indexOf('\n') + 20)); // the stamp kept, the answers cut short
    const again = await start(data);
    try {
      expect((await firstScreen(again.services)).outcomes).toEqual(['Paint the house', 'Ship the book']);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  it('costs nothing but itself when it cannot be written (permission denied, through the file-system seam): the close succeeds', async () => {
    const data = await folderSavedByTheApp();
    const file = path.join(data, '.history', 'first-screen.cache.json');
    fs.rmSync(file);
    const faulty = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', path: /first-screen\.cache\.json/, effect: { kind: 'errno', errno: 'EACCES' } });
    const again = await start(data, { fs: faulty });
    await again.services.handle('charts.create', { context: 'work', outcome: 'Kept all the same', reality: ['r'] });
    await again.services.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(cliOk(['chart', 'list', '--context', 'work'], data)).toContain('Kept all the same');
  }, 60_000);

  // No fault can be made to reach contexts.list on purpose once the contexts have loaded (its
  // reads are of memory then), so the comparison's own requests are answered by a stand-in.
  it('tells every view to read again when the comparison itself fails (mocked: a failing answer stands in for the fault), and logs why', async () => {
    const data = await folderSavedByTheApp();
    const again = await start(data);
    try {
      const given = again.services.firstScreen;
      expect(given, 'given from the save').toBeDefined();
      const told: { event: EventName; context?: string }[] = [];
      const logged: string[] = [];
      const asked: string[] = [];
      await compareWhenReady(given as FirstScreenAnswers, again.services.listsReady, {
        handle: async (channel) => {
          asked.push(channel);
          return { ok: false, error: { code: 'IO_ERROR', message: 'the disk went away' } };
        },
        emit: (event, payload) => void told.push({ event, context: (payload as { context?: string }).context }),
        log: (message, error) => void logged.push(`${message} ${(error as Error).message}`),
        seqOf: () => 0,
        closing: () => false,
      });
      expect(asked).toContain('contexts.list');
      expect(told).toEqual([{ event: 'data.changed', context: '' }]);
      expect(logged).toEqual([expect.stringMatching(/^Comparing the first screen .* failed; every view is read again\. the disk went away$/)]);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  it('compares nothing once the services are closing', async () => {
    const data = await folderSavedByTheApp();
    const again = await start(data);
    try {
      const asked: string[] = [];
      const told: string[] = [];
      await compareWhenReady(again.services.firstScreen as FirstScreenAnswers, again.services.listsReady, {
        handle: async (channel, input) => {
          asked.push(channel);
          return again.services.handle(channel, input);
        },
        emit: (event) => void told.push(event),
        log: () => undefined,
        seqOf: () => 0,
        closing: () => true,
      });
      expect(asked).toEqual([]);
      expect(told).toEqual([]);
    } finally {
      await again.services.close();
    }
  }, 60_000);

  it('is given by the thread that started the engine\'s worker (as the app runs it) while the worker loads the contexts, before it says its lists are ready', async () => {
    const data = path.join(tempDir('tension-first-worker-'), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    writeChartFile(path.join(data, 'charts-bulk.jsonl'), 2_000);
    const config: EngineServicesConfig = {
      dataLocation: { argv: ['--data', data], env: {}, cwd: path.dirname(data), home: path.dirname(data) },
      version: 'test',
      backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000 } },
    };
    const events: string[] = [];
    const output = { emit: (event: string, payload: unknown) => events.push(`${event} ${(payload as { context?: string }).context}`), log: () => undefined };
    const first = givingFirstScreen(await startEngineWorker(tsEngineWorkerEntry, config, output));
    await first.listsReady;
    await first.close();
    editSavedScreen(data);

    const again = givingFirstScreen(await startEngineWorker(tsEngineWorkerEntry, config, output));
    let listsReady = false;
    void again.listsReady.then(() => (listsReady = true));
    try {
      const rows = await again.handleForWindow('charts.firstRows', FIRST_ROWS_ASKED);
      expect(listsReady).toBe(false);
      expect(fromChartListColumns((rows as { value: FirstScreenAnswers['firstRows'] }).value.rows).map((r) => r.desiredOutcome)).toContain(EDITED);
      await again.listsReady;
      const started = Date.now();
      while (!events.includes('data.changed bulk') && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toContain('data.changed bulk');
      const real = await again.handleForWindow('charts.firstRows', FIRST_ROWS_ASKED);
      expect(fromChartListColumns((real as { value: FirstScreenAnswers['firstRows'] }).value.rows).map((r) => r.desiredOutcome)).not.toContain(EDITED);
    } finally {
      await again.close();
    }
  }, 60_000);
});
