// A peer's file open in one process (the app) whose journal another process (the CLI, a real
// one) starts with its first write: the first process takes in that journal from after its
// start, without reading the context file again, when the start is of the very file it holds;
// when it is of another version (a peer wrote in between), it loads the context afresh, as
// before. Either way it ends with every write: the CLI's and the peer's.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { cliOk } from '../helpers/runCli.ts';
import { journalStartOf } from '../../electron/core/journalStartedElsewhere.ts';
import { readJournal } from '../../electron/core/journalFile.ts';

afterEach(removeTempDirs);

const CONTEXT = 'work';
const peerLine = (name: string) => `{"type":"entity","name":"${name}","entityType":"note","observations":["by a peer"]}\n`;

/** The real file system, counting the bytes read from one file (through descriptors opened on its path). */
function countingReads(file: string) {
  const counted = new Set<number>();
  const reads = { bytes: 0 };
  const fsys: FileSystem = {
    ...realFileSystem,
    openSync: (p, flags, mode) => {
      const fd = realFileSystem.openSync(p, flags, mode);
      if (p === file) counted.add(fd);
      else counted.delete(fd);
      return fd;
    },
    readSync: (fd, buffer, offset, length, position) => {
      const n = realFileSystem.readSync(fd, buffer, offset, length, position);
      if (counted.has(fd)) reads.bytes += n;
      return n;
    },
    readFileSync: (p) => {
      const bytes = realFileSystem.readFileSync(p);
      if (p === file) reads.bytes += bytes.length;
      return bytes;
    },
  };
  return { fsys, reads };
}

describe('a journal another process started from the file this one holds', () => {
  it("is taken in from after its start: the CLI's write shows, the context file is not read again", async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(paths.file, Array.from({ length: 50 }, (_, i) => peerLine(`note_${i}`)).join(''));
    const { fsys, reads } = countingReads(paths.file);
    const app = await openEngine(layout, { fs: fsys });
    expect((await app.read(CONTEXT, (s) => readGraph(s))).entities).toHaveLength(50);
    expect(fs.existsSync(paths.journal), 'the app has not started the journal (no write, no scheduled rewrite)').toBe(false);

    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'written by the CLI'], layout.root);
    expect(fs.existsSync(paths.journal), 'the CLI started the journal').toBe(true);
    reads.bytes = 0;
    const names = (await app.read(CONTEXT, (s) => readGraph(s))).entities.map((e) => e.name);
    expect(names).toContain('from_the_cli');
    expect(names).toHaveLength(51);
    expect(reads.bytes, 'the context file was read again').toBe(0);

    // It writes on from there: the next write is journaled after the CLI's.
    await app.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_app', entityType: 'note', observations: ['written by the app'] }));
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'second_from_the_cli', '--type', 'note', '--obs', 'again'], layout.root);
    expect((await app.read(CONTEXT, (s) => readGraph(s))).entities.map((e) => e.name)).toContain('second_from_the_cli');
    await app.close();
    const reopened = await openEngine(layout);
    expect((await reopened.read(CONTEXT, (s) => readGraph(s))).entities.map((e) => e.name)).toEqual(expect.arrayContaining(['from_the_cli', 'from_the_app', 'second_from_the_cli']));
    expect((await reopened.read(CONTEXT, (s) => readGraph(s))).entities).toHaveLength(53);
    await reopened.close();
  });

  it('started from another version of the file (a peer wrote in between): loaded afresh, every write there', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(paths.file, peerLine('first'));
    const app = await openEngine(layout);
    expect((await app.read(CONTEXT, (s) => readGraph(s))).entities).toHaveLength(1);
    fs.appendFileSync(paths.file, peerLine('peer_added'));
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'written by the CLI'], layout.root);
    const names = (await app.read(CONTEXT, (s) => readGraph(s))).entities.map((e) => e.name).sort();
    expect(names).toEqual(['first', 'from_the_cli', 'peer_added']);
    await app.close();
  });

  it('its start is found by line count and snapshot line whatever the read block, and nothing else passes for one', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(paths.file, Array.from({ length: 300 }, (_, i) => peerLine(`note_${i}_${'x'.repeat(i)}`)).join(''));
    const engine = await openEngine(layout);
    await engine.transact(CONTEXT, (s) => setEntity(s, { name: 'later', entityType: 'note', observations: ['after the start'] }));
    await engine.close();
    const entries = readJournal(realFileSystem, paths.journal).entries;
    const snapshot = entries.find(({ entry }) => entry.kind === 'snapshot');
    expect(snapshot).toBeDefined();
    for (const block of [7, 18, 19, 64, 1000, 4096, 1 << 22]) {
      const start = journalStartOf(realFileSystem, paths.journal, block);
      expect(start?.snapshot, `block of ${block} bytes`).toEqual(snapshot?.entry);
      expect(start?.end, `block of ${block} bytes`).toBe(snapshot?.end);
    }
    // A line left out before the snapshot (the count no longer matches its seq), a header of a newer format: not a start.
    const text = fs.readFileSync(paths.journal, 'utf8').split('\n');
    fs.writeFileSync(paths.journal, [text[0], ...text.slice(2)].join('\n'));
    expect(journalStartOf(realFileSystem, paths.journal)).toBeUndefined();
    fs.writeFileSync(paths.journal, '');
    expect(journalStartOf(realFileSystem, paths.journal)).toBeUndefined();
  });
});
