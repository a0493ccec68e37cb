// A re-open from the checkpoint reads the context file's lines quickly (quickRecord: the key and
// chart from the line's start, the rest not looked at), except the lines the checkpoint lists
// (irregularLines), found when the file was written, which are read in full. Whatever a peer
// wrote into the lines, a fast open must make the records a full parse of the same file makes,
// in a fresh process after the writer's: by a rewrite (the CLI's write), and by a journal
// started at the open (the file as found, blank lines and all). A file with a damaged line gets
// no checkpoint: its lines would then be read as our own (a torn line taken for a record).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { readCheckpoint } from '../../electron/core/checkpointFile.ts';
import { quickRecord, readsIrregularly, type StoredRecord } from '../../electron/core/records.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { recordFromObject, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { IrregularRecords } from '../../electron/core/irregularRecords.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { exitOf, runCli, spawnTs } from '../helpers/runCli.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

afterEach(removeTempDirs);

/** Lines the quick reading gets wrong (each its own record), then usual ones. */
const ODD_LINES = [
  // A key field given again: JSON.parse keeps the last.
  '{"type":"entity","name":"twice_a","entityType":"note","observations":[],"name":"twice_b"}',
  '{"type":"relation","from":"x","to":"y","relationType":"r","to":"z"}',
  // A nested object's metadata before the record's, or instead of it.
  '{"type":"entity","name":"nested_1","entityType":"note","observations":[],"extra":{"k":1,"metadata":{"chartId":"nested"}},"metadata":{"chartId":"top"}}',
  '{"type":"entity","name":"nested_2","entityType":"note","observations":[],"extra":{"k":1,"metadata":{"chartId":"nested"}}}',
  // Metadata given twice: the last one counts.
  '{"type":"entity","name":"meta_twice","entityType":"note","observations":[],"metadata":{"chartId":"c1"},"metadata":{"chartId":"c2"}}',
  // Read quickly and rightly.
  '{"type":"entity","name":"plain","entityType":"note","observations":["\\"metadata\\":{\\"chartId\\":\\"in text\\"}"]}',
  '{"type":"entity","name":"charted","entityType":"note","observations":[],"metadata":{"chartId":"c7","dueDate":"2027-01-01"}}',
  '{"type":"relation","from":"charted","to":"plain","relationType":"r","metadata":{"chartId":"c7"}}',
  // Escapes in a name or a chart: not read quickly at all.
  '{"type":"entity","name":"esc\\"aped","entityType":"note","observations":[]}',
  '{"type":"entity","name":"esc_chart","entityType":"note","observations":[],"metadata":{"chartId":"c\\u0031"}}',
  // A duplicate line of a record (kept as an opaque line), a comment, an _aim marker.
  '{"type":"entity","name":"plain","entityType":"note","observations":["a second line for plain"]}',
  '# a comment',
  '{"type":"_aim","text":"a marker"}',
];

/** Seeded lines with metadata and nested objects in any order, each record its own. */
function randomLines(count: number): string[] {
  const random = seededRandom(11);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const base: [string, unknown][] =
      random() < 0.7 ? [['type', 'entity'], ['name', `n${i}`], ['entityType', 'note'], ['observations', []]] : [['type', 'relation'], ['from', `a${i}`], ['to', 'b'], ['relationType', 'r']];
    const extras: [string, unknown][] = [];
    for (let j = Math.floor(random() * 3); j > 0; j -= 1) {
      extras.push(pick([['metadata', { chartId: pick(['c1', 'c2']) }], ['extra', { k: 1, metadata: { chartId: 'nested' } }], ['metadata', { level: 1, chartId: 'c3' }], ['note', '"metadata":{"chartId":"x"}']] as [string, unknown][]));
    }
    lines.push(`{${[...base, ...extras].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  return lines;
}

const described = (record: StoredRecord) => [record.key, record.kind, record.chartId ?? null, record.raw];

/** What a full parse of the file on disk makes of it. */
function fullParse(layout: DataLayout, context: string) {
  const parsed = parseContextBytes(fs.readFileSync(contextPaths(layout, context).file));
  expect(parsed.bad).toEqual([]);
  return [...parsed.map.values()].map(described);
}

async function openedState(layout: DataLayout, context: string) {
  const engine = await openEngine(layout, { readOnly: true });
  try {
    return await engine.read(context, (state, store) => ({ fast: store.openedFast, records: [...state.values()].map(described), findings: store.findings.map((f) => f.kind) }));
  } finally {
    await engine.close();
  }
}

function writePeerFile(layout: DataLayout, context: string, lines: readonly string[]): void {
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(contextPaths(layout, context).file, lines.join('\n'));
}

describe('a fast open reads every line as a full parse does', () => {
  it('the quick reading misreads the odd lines, and exactly those are listed as irregular', () => {
    const full = parseContextBytes(Buffer.from(ODD_LINES.join('\n')));
    const irregular = [...full.map.values()].map((record, line) => (readsIrregularly(record) ? line : -1)).filter((line) => line >= 0);
    expect(irregular).toEqual([0, 1, 2, 3, 4, 10]);
    // Each listed line is one the quick reading gets wrong (or, for the duplicate, takes for a record).
    for (const line of irregular) {
      const record = [...full.map.values()][line]!;
      const quick = quickRecord(record.raw);
      expect(quick === undefined || record.kind === 'line' || quick.key !== record.key || quick.chartId !== record.chartId).toBe(true);
    }
  });

  it('after a rewrite by the CLI, in a fresh process', async () => {
    const layout = tempLayout();
    writePeerFile(layout, 'work', [...ODD_LINES, ...randomLines(2_000)]);
    const write = runCli(['entity', 'set', '--name', 'marker', '--type', 'note', '--obs', 'written by the CLI', '--context', 'work', '--data', layout.root]);
    expect(write.status, write.stderr).toBe(0);
    const checkpoint = readCheckpoint(realFileSystem, contextPaths(layout, 'work').checkpoint);
    expect(checkpoint?.irregularLines?.length).toBeGreaterThan(ODD_LINES.length);
    const opened = await openedState(layout, 'work');
    expect(opened.fast).toBe(true);
    expect(opened.records).toEqual(fullParse(layout, 'work'));
  });

  it('after a journal started at the open (the file as found: blank lines, a byte order mark, no final newline)', async () => {
    const layout = tempLayout();
    const lines = [...ODD_LINES, '', '   ', '\ufeff', ...randomLines(500), '\t', ODD_LINES[0] as string];
    writePeerFile(layout, 'work', lines);
    const before = fs.readFileSync(contextPaths(layout, 'work').file);
    // An empty journal (a crash as it was being started): the open starts it, the file as found its first commit.
    fs.mkdirSync(path.dirname(contextPaths(layout, 'work').journal), { recursive: true });
    fs.writeFileSync(contextPaths(layout, 'work').journal, '');
    const opener = await exitOf(spawnTs('test/helpers/openWithoutClosing.ts', [layout.root, 'work']), 60_000);
    expect(opener?.code, opener?.stderr).toBe(0);
    expect(fs.readFileSync(contextPaths(layout, 'work').file).equals(before)).toBe(true);
    expect(readCheckpoint(realFileSystem, contextPaths(layout, 'work').checkpoint)?.irregularLines?.length).toBeGreaterThan(ODD_LINES.length);
    const opened = await openedState(layout, 'work');
    expect(opened.fast).toBe(true);
    expect(opened.records).toEqual(fullParse(layout, 'work'));
  });

  it('a checkpoint whose list is not ascending line numbers is read without it', async () => {
    const layout = tempLayout();
    writePeerFile(layout, 'work', [...ODD_LINES, ...randomLines(300)]);
    expect(runCli(['entity', 'set', '--name', 'marker', '--type', 'note', '--obs', 'x', '--context', 'work', '--data', layout.root]).status).toBe(0);
    const file = contextPaths(layout, 'work').checkpoint;
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { irregularLines: unknown };
    for (const list of ['0,1', [3, 2], [1.5], [-1, 4], null]) {
      fs.writeFileSync(file, JSON.stringify({ ...saved, irregularLines: list }));
      expect(readCheckpoint(realFileSystem, file)?.irregularLines, JSON.stringify(list)).toBeUndefined();
      const opened = await openedState(layout, 'work');
      expect(opened.fast).toBe(true);
      expect(opened.records).toEqual(fullParse(layout, 'work'));
    }
  });
});

describe("a process whose records came from a full parse (the app after adopting a peer's file)", () => {
  it('lists a record it took in after its first rewrite, when that record reads irregularly, and keeps the ones it found before', async () => {
    const layout = tempLayout();
    writePeerFile(layout, 'work', [...ODD_LINES, ...randomLines(400)]);
    const engine = await openEngine(layout);
    const checkpointNow = () => readCheckpoint(realFileSystem, contextPaths(layout, 'work').checkpoint);
    try {
      await engine.transact('work', (state) => setEntity(state, { name: 'first', entityType: 'note' }));
      await engine.flush();
      const first = checkpointNow()?.irregularLines;
      expect(first?.length).toBeGreaterThan(ODD_LINES.length);
      // Taken in after that rewrite's check: a nested "metadata" the quick reading takes for the record's.
      const odd = { type: 'entity', name: 'taken_in_later', entityType: 'note', observations: [], extra: { k: 1, metadata: { chartId: 'nested' } } };
      await engine.transact('work', () => ({ puts: [recordFromObject(odd)], deletes: [] }));
      await engine.flush();
      const second = checkpointNow();
      expect(second?.size).toBe(fs.statSync(contextPaths(layout, 'work').file).size);
      // The record taken in is the last line.
      expect(second?.irregularLines).toEqual([...(first ?? []), fullParse(layout, 'work').length - 1]);
    } finally {
      await engine.close();
    }
    const opened = await openedState(layout, 'work');
    expect(opened.fast).toBe(true);
    expect(opened.records).toEqual(fullParse(layout, 'work'));
  });
});

describe('what a context remembers of the last check (IrregularRecords)', () => {
  it('is dropped when the state is replaced wholesale (a reload): its records are checked again', () => {
    const odd = (text: string) => [...parseContextBytes(Buffer.from(text)).map.values()][0] as StoredRecord;
    const state = new RecordSet();
    const remembered = new IrregularRecords(state);
    state.set(odd(ODD_LINES[6] as string));
    remembered.checkedAll([]);
    const reloaded = parseContextBytes(Buffer.from([ODD_LINES[2], ODD_LINES[6]].join('\n'))).map;
    state.adopt(reloaded);
    expect([...state.values()].map((record) => remembered.reads(record))).toEqual([true, false]);
  });
});

describe('a file with a damaged line gets no checkpoint', () => {
  it('a journal started at the open, the process gone before its rewrite: the next open still finds the damaged line', async () => {
    const layout = tempLayout();
    const torn = '{"type":"entity","name":"broken","entityType":"note","observations":["cut here"';
    writePeerFile(layout, 'work', ['{"type":"entity","name":"a","entityType":"note","observations":[]}', torn, '{"type":"entity","name":"b","entityType":"note","observations":[]}']);
    fs.mkdirSync(path.dirname(contextPaths(layout, 'work').journal), { recursive: true });
    fs.writeFileSync(contextPaths(layout, 'work').journal, '');
    const opener = await exitOf(spawnTs('test/helpers/openWithoutClosing.ts', [layout.root, 'work']), 60_000);
    expect(opener?.code, opener?.stderr).toBe(0);
    expect(JSON.parse(opener?.stdout ?? '{}')).toEqual({ findings: ['bad-line'] });
    expect(fs.existsSync(contextPaths(layout, 'work').checkpoint)).toBe(false);
    const opened = await openedState(layout, 'work');
    expect(opened.fast).toBe(false);
    expect(opened.findings).toContain('bad-line');
    expect(opened.records.map(([key]) => key)).toEqual(['e\u0000a', 'e\u0000b']);
  });
});
