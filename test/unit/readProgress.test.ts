// A long load tells how far it has read (readProgress.ts): the app shows a bar while the first
// open of a large file parses for seconds. What is told must end at the file's size, never go
// back, be rare enough to cost nothing, and never change what is read.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { READ_PROGRESS_FROM_BYTES, progressOfRead } from '../../electron/core/readProgress.ts';
import type { FileReadProgress } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

/** A peer's file of about `bytes`: entity lines, with a comment and a repeated record among them. */
function peerBytes(bytes: number): Buffer {
  const lines: string[] = ['# written by hand'];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const line = JSON.stringify({ type: 'entity', name: `note_${i}`, entityType: 'note', observations: [`observation ${i} `.repeat(6)] });
    lines.push(line);
    size += line.length + 1;
  }
  lines.push(lines[5]!);
  return Buffer.from(`${lines.join('\n')}\n`);
}

const recordsOf = (bytes: Buffer, progress?: (done: number, total: number) => void) => [...parseContextBytes(bytes, false, progress).records].map((r) => [r.key, r.raw]);

describe('the progress of a long read', () => {
  it('a full replay of a large journal (no checkpoint: after a crash) tells its read too, after the file\'s', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const bytes = peerBytes(READ_PROGRESS_FROM_BYTES + 1024 * 1024);
    fs.writeFileSync(path.join(layout.root, 'charts.jsonl'), bytes);
    // The journal started from the file (its first commit holds every record), then the checkpoint gone.
    const first = await openEngine(layout);
    await first.read('default', (state) => state.size);
    await first.close();
    fs.rmSync(path.join(layout.root, '.history', 'charts.checkpoint.json'));
    const journalBytes = fs.statSync(path.join(layout.root, '.history', 'charts.journal.jsonl')).size;
    expect(journalBytes).toBeGreaterThan(READ_PROGRESS_FROM_BYTES);
    const told: FileReadProgress[] = [];
    const again = await openEngine(layout, { readOnly: true, onReadProgress: (progress) => told.push(progress) });
    try {
      expect(await again.read('default', (state, store) => ({ size: state.size > 0, fast: store.openedFast }))).toEqual({ size: true, fast: false });
    } finally {
      await again.close();
    }
    const kinds = told.map((t) => t.kind);
    expect(kinds.indexOf('journal')).toBeGreaterThan(kinds.lastIndexOf('file'));
    const journal = told.filter((t) => t.kind === 'journal');
    expect(journal[0]).toEqual({ context: 'default', file: 'charts.jsonl', kind: 'journal', doneBytes: 0, totalBytes: journalBytes });
    expect(journal.at(-1)).toEqual({ context: 'default', file: 'charts.jsonl', kind: 'journal', doneBytes: journalBytes, totalBytes: journalBytes });
    for (let i = 1; i < journal.length; i += 1) expect(journal[i]!.doneBytes).toBeGreaterThan(journal[i - 1]!.doneBytes);
  });

  it('is told from 0 to the whole size, never backwards, and the records read are the same as without it', () => {
    const bytes = peerBytes(READ_PROGRESS_FROM_BYTES + 2 * 1024 * 1024);
    const told: [number, number][] = [];
    const withProgress = recordsOf(bytes, (done, total) => told.push([done, total]));
    expect(withProgress).toEqual(recordsOf(bytes));
    expect(told[0]).toEqual([0, bytes.length]);
    expect(told.at(-1)).toEqual([bytes.length, bytes.length]);
    for (let i = 1; i < told.length; i += 1) expect(told[i]![0]).toBeGreaterThan(told[i - 1]![0]);
    expect(told.every(([, total]) => total === bytes.length)).toBe(true);
  });

  it('a file read on a checkpoint\'s word (the quick reading) tells it too', () => {
    const bytes = peerBytes(READ_PROGRESS_FROM_BYTES + 1024 * 1024);
    const told: number[] = [];
    const records = parseContextBytes(bytes, { irregularLines: [] }, (done) => told.push(done)).records;
    expect(records.length).toBeGreaterThan(0);
    expect(told[0]).toBe(0);
    expect(told.at(-1)).toBe(bytes.length);
  });

  it('a report that throws does not stop the read', () => {
    const bytes = peerBytes(READ_PROGRESS_FROM_BYTES + 1024 * 1024);
    expect(
      recordsOf(bytes, () => {
        throw new Error('the window is gone');
      }),
    ).toEqual(recordsOf(bytes));
  });

  it('a small file tells nothing', () => {
    const told: number[] = [];
    recordsOf(peerBytes(64 * 1024), (done) => told.push(done));
    expect(told).toEqual([]);
  });

  it('is told at most every so often between the first and the last', () => {
    const reports: number[] = [];
    const rare = progressOfRead((done) => reports.push(done), 100, 10, 60_000)!;
    for (const done of [10, 20, 30, 40, 100]) rare(done);
    expect(reports).toEqual([0, 100]);
    const every: number[] = [];
    const often = progressOfRead((done) => every.push(done), 100, 10, 0)!;
    for (const done of [10, 10, 20, 30, 100, 100]) often(done);
    expect(every).toEqual([0, 10, 20, 30, 100]);
    expect(progressOfRead((done) => every.push(done), 9, 10)).toBeUndefined();
    expect(progressOfRead(undefined, 100, 10)).toBeUndefined();
  });

  it('the engine tells it with the context and the file of each load of a large file, and not of a small one', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const bytes = peerBytes(READ_PROGRESS_FROM_BYTES + 1024 * 1024);
    fs.writeFileSync(path.join(layout.root, 'charts.jsonl'), bytes);
    fs.writeFileSync(path.join(layout.root, 'charts-small.jsonl'), peerBytes(1024));
    const told: FileReadProgress[] = [];
    const engine = await openEngine(layout, { readOnly: true, onReadProgress: (progress) => told.push(progress) });
    try {
      await engine.read('small', (state) => state.size);
      expect(told).toEqual([]);
      await engine.read('default', (state) => state.size);
      expect(told.length).toBeGreaterThanOrEqual(2);
      expect(told[0]).toEqual({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: 0, totalBytes: bytes.length });
      expect(told.at(-1)).toEqual({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: bytes.length, totalBytes: bytes.length });
    } finally {
      await engine.close();
    }
  });
});
