// A context file saved with old Mac line ends (a lone carriage return between lines, as an
// editor's "Macintosh (CR)" setting writes) was read as one damaged line: the next write moved
// it aside to .recovery/, and every record left the file. Its lines are read as the records
// they are, and since such a file's lines are not its records one by one, no checkpoint or
// snapshot line ever vouches for it (the next open's quick reading would take a joined line for
// one record).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { crc32Hex } from '../../electron/core/journalFormat.ts';
import { readGraph } from '../../electron/core/knowledgeGraph.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

const entity = (name: string) => JSON.stringify({ type: 'entity', name, entityType: 'note', observations: [`${name} as the peer wrote it`] });
const relation = (from: string, to: string) => JSON.stringify({ type: 'relation', from, to, relationType: 'knows' });
const parsed = (text: string) => parseContextBytes(Buffer.from(text));
const raws = (text: string) => parsed(text).records.map((r) => r.raw);

describe('a file with lone carriage returns between its lines', () => {
  it('is read as its records, none damaged, the joined line counted', () => {
    const text = `${entity('a')}\r${entity('b')}\r${relation('a', 'b')}\r`;
    const file = parsed(text);
    expect(file.bad).toEqual([]);
    expect(file.records.map((r) => r.raw)).toEqual([entity('a'), entity('b'), relation('a', 'b')]);
    expect(file.joinedLines).toBe(1);
    // Mixed: some lines end with a newline, some with a lone carriage return; a comment among them.
    expect(raws(`${entity('a')}\n${entity('b')}\r# note\r${entity('c')}\n`)).toEqual([entity('a'), entity('b'), '# note', entity('c')]);
  });

  it('a whole line with a carriage return as white space between its values stays one record; CRLF files are untouched', () => {
    const spaced = `{"type":"entity",\r"name":"a","entityType":"note","observations":[]}`;
    expect(raws(`${spaced}\n`)).toEqual([spaced]);
    expect(parsed(`${spaced}\n`).joinedLines).toBeUndefined();
    const crlf = parsed(`${entity('a')}\r\n${entity('b')}\r\n`);
    expect(crlf.records.map((r) => r.raw)).toEqual([`${entity('a')}\r`, `${entity('b')}\r`]);
    expect(crlf.joinedLines).toBeUndefined();
  });

  it('a damaged line with carriage returns in it stays damaged as a whole, its bytes kept', () => {
    const line = `${entity('a')}\r{"type":"entity","name":"b","entityT`;
    const file = parsed(`${line}\n${entity('c')}\n`);
    expect(file.records.map((r) => r.raw)).toEqual([entity('c')]);
    expect(file.bad).toHaveLength(1);
    expect(file.bad[0]!.bytes.toString()).toBe(`${line}\n`);
    expect(file.joinedLines).toBeUndefined();
  });

  it('a repeated record across the joined lines is the opaque line a full parse makes of a repeat', () => {
    const file = parsed(`${entity('a')}\r${entity('a')}\r`);
    expect(file.records.map((r) => r.kind)).toEqual(['entity', 'line']);
    expect(file.duplicates).toBe(1);
  });

  it('the real CLI, a process per command: a write keeps every record of the file, moves nothing aside, and verify finds nothing wrong', () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const file = path.join(layout.root, 'charts.jsonl');
    fs.writeFileSync(file, `${entity('a')}\r${entity('b')}\r${relation('a', 'b')}\r`);
    // Checked as it is (before any write rewrites it).
    const before = runCli(['verify', '--data', layout.root]);
    expect(before.stdout + before.stderr).not.toMatch(/not valid JSON|PROBLEMS/);
    expect(before.status).toBe(0);
    const id = cliOk(['chart', 'create', '--outcome', 'Kept beside the peer', '--reality', 'A CR file'], layout.root);
    expect(id).toMatch(/^chart_/);
    const graph = JSON.parse(cliOk(['graph', '--json'], layout.root)) as { entities: { name: string }[]; relations: unknown[] };
    expect(graph.entities.map((e) => e.name)).toEqual(expect.arrayContaining(['a', 'b', `${id}_chart`]));
    expect(graph.relations).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'a', to: 'b' })]));
    const onDisk = fs.readFileSync(file, 'utf8');
    expect(onDisk).toContain(entity('a'));
    expect(onDisk).toContain(entity('b'));
    expect(fs.existsSync(path.join(layout.root, '.recovery')) ? fs.readdirSync(path.join(layout.root, '.recovery')) : []).toEqual([]);
    const verify = runCli(['verify', '--data', layout.root]);
    expect(verify.stdout + verify.stderr).not.toMatch(/not valid JSON|PROBLEMS/);
    expect(verify.status).toBe(0);
  });

  it('`tension import` (and its preview) reads such a file the same way, a process per command; a damaged line in it is still refused', () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const folder = path.dirname(layout.root);
    const file = path.join(folder, 'old-mac.jsonl');
    fs.writeFileSync(file, `${entity('a')}\r${entity('b')}\r${relation('a', 'b')}\r`);
    expect(cliOk(['import', 'preview', file], layout.root)).toContain('3 new');
    expect(cliOk(['import', file], layout.root)).toContain('imported 3 records');
    const graph = JSON.parse(cliOk(['graph', '--json'], layout.root)) as { entities: { name: string }[]; relations: unknown[] };
    expect(graph.entities.map((e) => e.name).sort()).toEqual(['a', 'b']);
    expect(graph.relations).toHaveLength(1);
    const damaged = path.join(folder, 'damaged.jsonl');
    fs.writeFileSync(damaged, `${entity('c')}\r{"type":"entity","name":"d"\n`);
    const refused = runCli(['import', damaged, '--data', layout.root]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/damaged\.jsonl line 1: .*Nothing was imported/);
    expect((JSON.parse(cliOk(['graph', '--json'], layout.root)) as { entities: { name: string }[] }).entities.map((e) => e.name).sort()).toEqual(['a', 'b']);
  });

  it('no checkpoint vouches for it: after the journal is started from it (and no write), the next open reads every record again', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const file = path.join(layout.root, 'charts.jsonl');
    fs.writeFileSync(file, `${entity('a')}\r${entity('b')}\r`);
    const first = await openEngine(layout);
    expect((await first.read('default', (state) => readGraph(state))).entities.map((e) => e.name)).toEqual(['a', 'b']);
    await first.close();
    // The journal was started from the file as found; the file itself was left as it was.
    expect(fs.existsSync(path.join(layout.root, '.history', 'charts.journal.jsonl'))).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${entity('a')}\r${entity('b')}\r`);
    expect(fs.existsSync(path.join(layout.root, '.history', 'charts.checkpoint.json'))).toBe(false);
    const again = await openEngine(layout);
    expect(await again.read('default', (state, store) => ({ names: readGraph(state).entities.map((e) => e.name), raws: [...state.values()].map((r) => r.raw), fast: store.openedFast }))).toEqual({ names: ['a', 'b'], raws: [entity('a'), entity('b')], fast: false });
    await again.close();
  });

  it('a peer writing the same records again with carriage returns gets no snapshot line naming its file: the next open reads every record', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const file = path.join(layout.root, 'charts.jsonl');
    fs.writeFileSync(file, `${entity('a')}\n${entity('b')}\n`);
    const engine = await openEngine(layout);
    await engine.read('default', (state) => state.size);
    await engine.flush();
    // The same records, the peer's way: the engine takes it in at its next read.
    fs.writeFileSync(file, `${entity('a')}\r${entity('b')}\r`);
    expect((await engine.read('default', (state) => readGraph(state))).entities.map((e) => e.name)).toEqual(['a', 'b']);
    await engine.close();
    const journal = fs.readFileSync(path.join(layout.root, '.history', 'charts.journal.jsonl'), 'utf8');
    expect(journal).toContain(`"fileCrc":"${crc32Hex(`${entity('a')}\n${entity('b')}\n`)}"`);
    expect(journal).not.toContain(`"fileCrc":"${crc32Hex(`${entity('a')}\r${entity('b')}\r`)}"`);
    const again = await openEngine(layout);
    expect(await again.read('default', (state) => [...state.values()].map((r) => r.raw))).toEqual([entity('a'), entity('b')]);
    await again.close();
  });
});
