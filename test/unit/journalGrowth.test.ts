// A current reality that grows for years (issue 8, items 5 and 6): the journal stays within a
// small factor of what was ever written, history is paged and read in bounded memory, old
// journals keep working (and are upgraded), and an edit journaled as a splice that no longer
// fits its record is reported, not applied to the wrong text.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { memoryTempLayout, tempLayout } from '../helpers/tempRoot.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { JOURNAL_FORMAT, crc32Hex, decodeJournalLine, encodeHeader, sealLine } from '../../electron/core/journalFormat.ts';
import { historyOf } from '../../electron/core/history.ts';
import { entityKey } from '../../electron/core/records.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { LONG } from '../torture/support.ts';

closeAfterEachTest();

/**
 * Observations added one at a time: 2,500 in the quick round (over 64 KB of reality, so its
 * versions say what changed), 7,500 with TENSION_TORTURE=long (npm run torture): each addition
 * rewrites the growing record in memory, and 7,500 took a minute of npm test.
 */
const ADDED = LONG ? 7_500 : 2_500;

const journalLines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('a current reality that grows for years', () => {
  it(`${ADDED.toLocaleString('en')} observations added one at a time: the journal stays within a small factor of the text written, and history is paged`, async () => {
    // In memory (/dev/shm): 7,500 fsyncs on the real disk took most of two minutes, and this is
    // about what the journal holds, not about the disk (durability: test/powercut).
    const layout = memoryTempLayout();
    const engine = await trackedEngine(layout);
    const charts = new ChartService(engine);
    const { id } = await charts.create('work', { outcome: 'Write the book', reality: ['An outline exists'] });
    let written = 0;
    for (let i = 0; i < ADDED; i += 1) {
      const text = `Day ${i}: wrote ${i % 7} pages about chapter ${i % 40}`;
      written += Buffer.byteLength(text);
      await charts.addReality('work', id, text);
      if (i % 1_000 === 999) await engine.flush();
    }
    await engine.flush();
    const paths = contextPaths(layout, 'work');
    const journalBytes = fs.statSync(paths.journal).size;
    const fileBytes = fs.statSync(paths.file).size;
    // Each addition journals what changed: a splice of ~ the new text plus the change of time
    // stamp and the line's framing, not the whole (growing) reality again.
    process.stdout.write(`journal growth: ${written} bytes of observations written, context file ${fileBytes} bytes, journal ${journalBytes} bytes (${(journalBytes / written).toFixed(1)}x)\n`);
    // The text written plus a few hundred bytes of framing per change (its journal line: time,
    // ids, checksum, the record's name, the new updatedAt), against 523 MB before (issue 8).
    expect(journalBytes).toBeLessThan(2 * written + 600 * ADDED);
    expect(journalLines(paths.journal).some((line) => line.includes('"splice"'))).toBe(true);

    // History: the newest page only, and the journal read in bounded memory.
    const page = { limit: 50, more: false as boolean | undefined };
    const entries = await charts.history('work', id, page);
    expect(entries.length).toBe(50);
    expect(page.more).toBe(true);
    // The reality is now far over 64 KB: its versions say what changed rather than repeat it.
    const last = entries.filter((e) => e.part.endsWith('_current_reality')).at(-1);
    expect(last?.value).toBeUndefined();
    const lastDay = ADDED - 1;
    expect(last?.changed?.observationsAdded).toEqual([`Day ${lastDay}: wrote ${lastDay % 7} pages about chapter ${lastDay % 40}`]);
    const older = await charts.history('work', id, { limit: 50, before: entries[0]?.seq as number });
    expect(older.length).toBe(50);
    expect((older.at(-1)?.seq as number) < (entries[0]?.seq as number)).toBe(true);
    // A reopened engine (journal replay through every splice) reads the same reality.
    await engine.close();
    const again = await trackedEngine(layout);
    const chart = await new ChartService(again).show('work', id);
    expect(chart.currentReality).toHaveLength(ADDED + 1);
    // 7,500 commits one after another: over a minute on a busy 2-core machine (each rewrites the
    // growing record in memory: the time grows with the square of the count).
  }, 400_000);

  it('history of such a record runs in bounded memory: a fresh process with a 64 MB heap reads a page of 300 versions that hold 450 MB in full', async () => {
    const layout = tempLayout();
    const engine = await trackedEngine(layout);
    // 300 observations of 10,000 characters: 3 MB of text in one growing record.
    for (let i = 0; i < 300; i += 1) await engine.transact('work', (state) => setEntity(state, { name: 'big', entityType: 'current_reality', observations: [`${i} ${'x'.repeat(10_000)}`] }));
    await engine.close();
    const journal = contextPaths(layout, 'work').journal;
    expect(fs.statSync(journal).size).toBeLessThan(8 * 300 * 10_000);
    const script = `
      import { historyOf } from './electron/core/history.ts';
      import { realFileSystem } from './electron/core/fileSystem.ts';
      const before = process.memoryUsage().rss;
      const page = { limit: 20 };
      const versions = historyOf(realFileSystem, ${JSON.stringify(journal)}, (k) => k === 'e\\u0000big', page);
      process.stdout.write(JSON.stringify({ count: versions.get('e\\u0000big').length, more: page.more, peak: process.resourceUsage().maxRSS * 1024, before }));
    `;
    // A heap capped far below the full history: the process dies (out of memory) if history held it.
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { count: number; more: boolean; peak: number; before: number };
    expect(result).toMatchObject({ count: 20, more: true });
    // Every version in full would be 300 × ~1.5 MB on average = ~450 MB of text. The journal is
    // read a chunk at a time, only the record's current line is held, and the page's versions
    // say what changed (10 KB each): the peak grows by a small multiple of the record itself.
    process.stdout.write(`history of 300 growing versions: peak RSS ${(result.peak / 1048576).toFixed(0)} MB (process start ${(result.before / 1048576).toFixed(0)} MB)\n`);
    // All 300 versions in full: sum of i × 10 KB = ~450 MB; the history ran in a 64 MB heap.
    const fullHistory = (300 * 301 * 10_000) / 2;
    expect(result.peak - result.before).toBeLessThan(fullHistory / 4);
  });
});

describe('journal formats', () => {
  it('a format-1 journal opens, is upgraded after a backup (its header replaced, everything else kept), and writes splices from then on', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, 'work');
    fs.mkdirSync(path.dirname(paths.journal), { recursive: true });
    const header1 = sealLine(JSON.stringify({ kind: 'header', format: 1, context: 'work', created: '2026-01-01T00:00:00.000Z' }));
    const record = { type: 'entity', name: 'R', entityType: 'current_reality', observations: ['x'.repeat(500)] };
    const commit = sealLine(`{"kind":"commit","seq":1,"ts":"2026-01-01T00:00:01.000Z","tx":"t1","origin":"cli","changes":[{"set":${JSON.stringify(record)}}]}`);
    fs.writeFileSync(paths.journal, header1 + commit);
    const engine = await trackedEngine(layout);
    await engine.transact('work', (state) => setEntity(state, { name: 'R', entityType: 'current_reality', observations: ['one more'] }));
    await engine.close();
    const lines = journalLines(paths.journal);
    const header = decodeJournalLine(lines[0] as string);
    expect(header).toMatchObject({ ok: true, entry: { kind: 'header', format: JOURNAL_FORMAT, created: '2026-01-01T00:00:00.000Z' } });
    expect(lines[1]).toBe(commit.trimEnd());
    expect(lines.some((line) => line.includes('"splice"'))).toBe(true);
    // One backup (its folder is named by its time), taken before the upgrade.
    expect(fs.readdirSync(path.join(layout.root, '.backup')).filter((name) => /^\d{4}-\d\d-\d\dT/.test(name))).toHaveLength(1);
    const log = fs.readdirSync(path.join(layout.root, '.recovery')).find((f) => f.endsWith('.log')) as string;
    expect(fs.readFileSync(path.join(layout.root, '.recovery', log), 'utf8')).toMatch(/upgraded charts-work.journal.jsonl from format 1 to 2/);
    const versions = historyOf(realFileSystem, paths.journal, (k) => k === entityKey('R')).get(entityKey('R')) ?? [];
    expect(versions.at(-1)?.value).toMatchObject({ observations: ['x'.repeat(500), 'one more'] });
  });

  it('a splice that does not fit its record (a journal that lost an entry) is reported and skipped; the context file keeps the record', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, 'work');
    fs.mkdirSync(path.dirname(paths.journal), { recursive: true });
    const record = { type: 'entity', name: 'R', entityType: 'current_reality', observations: ['y'.repeat(500)] };
    const line = JSON.stringify(record);
    const commit = sealLine(`{"kind":"commit","seq":1,"ts":"2026-01-01T00:00:01.000Z","tx":"t1","origin":"cli","changes":[{"set":${line}}]}`);
    // A splice made from some other text (its CRC cannot match what it makes here).
    const splice = sealLine(`{"kind":"commit","seq":2,"ts":"2026-01-01T00:00:02.000Z","tx":"t2","origin":"cli","changes":[{"splice":["entity","R"],"at":10,"cut":3,"text":"zzz","crc":"${crc32Hex('something else')}"}]}`);
    fs.writeFileSync(paths.journal, encodeHeader('work', '2026-01-01T00:00:00.000Z') + commit + splice);
    fs.writeFileSync(paths.file, `${line}\n`);
    const engine = await trackedEngine(layout, { readOnly: true });
    const value = await engine.read('work', (state) => state.get(entityKey('R'))?.raw);
    expect(value).toBe(line);
    const report = await verifyAll(engine);
    expect(JSON.stringify(report)).toMatch(/entry 2 edits entity R, which is not as that edit expects/);
  });
});
