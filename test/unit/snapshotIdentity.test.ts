// Another of our processes rewrote the context file: its snapshot line names the file's inode and
// times, so a process catching up knows the file by one stat instead of reading it whole for its
// CRC (seconds at 100k charts). Any later write by anyone still shows, same size included.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

/** The real file system, counting whole reads of the context file. */
function countingReads(file: string): { fs: FileSystem; reads: () => number } {
  let reads = 0;
  return {
    fs: { ...realFileSystem, readFileSync: (p: string) => { if (p === file) reads += 1; return realFileSystem.readFileSync(p); } },
    reads: () => reads,
  };
}

/** An engine (counting its reads of the file) that has written the context file once. */
async function engineWithItsRewrite() {
  const layout = tempLayout();
  const file = path.join(layout.root, 'charts.jsonl');
  const counting = countingReads(file);
  const engine = await openEngine(layout, { fs: counting.fs });
  await engine.transact('default', (state) => setEntity(state, { name: 'A', entityType: 'note' }));
  await engine.flush();
  return { layout, file, counting, engine };
}

const names = (graph: { entities: { name: string }[] }) => graph.entities.map((e) => e.name).sort();

describe("another process's rewrite is known by its snapshot line", () => {
  it('the snapshot line names inode, mtime and ctime; catching up on a CLI write (a real process) reads no byte of the file', async () => {
    const { layout, file, counting, engine } = await engineWithItsRewrite();
    const cli = runCli(['entity', 'set', '--name', 'FromCli', '--type', 'note', '--data', layout.root]);
    expect(cli.status, cli.stderr).toBe(0);
    const journal = fs.readFileSync(path.join(layout.root, '.history', 'charts.journal.jsonl'), 'utf8').trim().split('\n');
    const snapshot = JSON.parse(journal.at(-1) as string) as Record<string, string>;
    const stat = fs.statSync(file, { bigint: true });
    expect({ kind: snapshot.kind, ino: snapshot.fileIno, mtime: snapshot.fileMtimeNs, ctime: snapshot.fileCtimeNs }).toEqual({ kind: 'snapshot', ino: stat.ino.toString(), mtime: stat.mtimeNs.toString(), ctime: stat.ctimeNs.toString() });
    const before = counting.reads();
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['A', 'FromCli']);
    expect(counting.reads() - before).toBe(0);
    await engine.close();
  });

  it('a peer rewriting the file in place after that, to the same size, is still read and taken in', async () => {
    const { layout, file, counting, engine } = await engineWithItsRewrite();
    expect(runCli(['entity', 'set', '--name', 'BBBB', '--type', 'note', '--data', layout.root]).status).toBe(0);
    // Same length, other content, written in place (same inode) a moment later: mtime and ctime move.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"BBBB"', '"CCCC"'));
    expect(fs.statSync(file).size).toBe(Buffer.byteLength(text));
    const before = counting.reads();
    // Taken in; BBBB stays too: a rewrite moments after the version before it may be a lost race (externalMerge.ts).
    expect(names(await engine.read('default', (state) => readGraph(state)))).toContain('CCCC');
    expect(counting.reads() - before).toBeGreaterThan(0);
    await engine.close();
  });

  it('a snapshot line without them (an older journal) still works: the file is read and its CRC compared', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('default', (state) => setEntity(state, { name: 'A', entityType: 'note' }));
    await engine.close();
    const journalPath = path.join(layout.root, '.history', 'charts.journal.jsonl');
    const lines = fs.readFileSync(journalPath, 'utf8').trim().split('\n');
    // Strip the new fields and reseal the line, as an older version wrote it.
    const { sealLine } = await import('../../electron/core/journalFormat.ts');
    const last = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
    delete last.fileIno; delete last.fileMtimeNs; delete last.fileCtimeNs; delete last.crc;
    fs.writeFileSync(journalPath, `${[...lines.slice(0, -1), sealLine(JSON.stringify(last)).trimEnd()].join('\n')}\n`);
    fs.rmSync(path.join(layout.root, '.history', 'charts.checkpoint.json'), { force: true });
    const again = await openEngine(layout);
    expect(names(await again.read('default', (state) => readGraph(state)))).toEqual(['A']);
    await again.transact('default', (state) => setEntity(state, { name: 'B', entityType: 'note' }));
    await again.close();
    expect(fs.readFileSync(path.join(layout.root, 'charts.jsonl'), 'utf8')).toContain('"name":"B"');
  });
});
