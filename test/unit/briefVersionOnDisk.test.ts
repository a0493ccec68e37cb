// Our rewrite's exchange can displace a peer's version that landed an instant before it; that
// version is put straight back (contextRewrite.ts, putPeerVersionBack). For that instant ours was the
// file, and a peer that read it then writes its next version from ours: without the record it
// had just added, which it never saw again. Found with strace in the rename race test
// (test/contexts/peerDuringRename.test.ts): the reference server read our version in the 5 ms
// before the swap back, and its next version, judged against the versions the journal knew,
// read as deleting its own earlier entity. The instant must be a version the journal knows.
// And a third program may replace ours in that instant: the swap back then hands its version
// to us, and it is journaled like any peer version.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const line = (name: string) => JSON.stringify({ type: 'entity', name, entityType: 'note', observations: [`${name} by the peer`] });

/**
 * A peer racing our rewrite of `file` through the fs seam: once armed, its version (what it
 * read, plus First) lands just before our exchange, and it reads the file at the swap back,
 * when ours is the file for an instant. `atSwapBack` runs then too.
 */
function peerRacingOurRewrite(file: string, atSwapBack: () => void = () => undefined) {
  const peer = { armed: false, exchanges: 0, readByPeer: undefined as string | undefined };
  const fsys: FileSystem = {
    ...realFileSystem,
    exchangeSync: (a, b) => {
      if (peer.armed) {
        peer.exchanges += 1;
        if (peer.exchanges === 1) {
          fs.writeFileSync(`${file}.peer`, `${fs.readFileSync(file, 'utf8')}${line('First')}`);
          fs.renameSync(`${file}.peer`, file);
        } else if (peer.exchanges === 2) {
          peer.readByPeer = fs.readFileSync(file, 'utf8');
          peer.armed = false;
          atSwapBack();
        }
      }
      realFileSystem.exchangeSync(a, b);
    },
  };
  return { peer, fsys };
}

/** The same peer, and the disk full for the next journal append after the swap back (the instant's snapshot line) alone. */
function peerRacingOurRewriteOnFullDisk(file: string) {
  const disk = { refusing: false, refused: 0, fsys: realFileSystem };
  const { peer, fsys } = peerRacingOurRewrite(file, () => (disk.refusing = true));
  disk.fsys = {
    ...fsys,
    openSync: (target, flags, mode) => {
      if (disk.refusing && String(target).endsWith('.journal.jsonl') && flags === 'a') {
        disk.refusing = false;
        disk.refused += 1;
        throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
      }
      return realFileSystem.openSync(target, flags, mode);
    },
  };
  return { peer, disk };
}

/** A (unless written already), then B, whose rewrite meets the peer. */
async function rewriteMeetingPeer(engine: Engine, peer: ReturnType<typeof peerRacingOurRewrite>['peer'], writeA = true): Promise<void> {
  if (writeA) {
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.flush();
  }
  await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
  peer.armed = true;
  await engine.flush();
  expect(peer.exchanges, 'our rewrite never met the peer: the test did not reach the exchange').toBeGreaterThanOrEqual(2);
  expect(peer.readByPeer, 'the peer did not read our version at the swap back').toBeDefined();
  expect(peer.readByPeer).not.toContain('"First"');
}

/** The peer's next version starts from what it read: ours, without First. */
function peerWritesNext(file: string, readByPeer: string): void {
  fs.writeFileSync(`${file}.peer`, `${readByPeer.trimEnd()}\n${line('Second')}`);
  fs.renameSync(`${file}.peer`, file);
}

/**
 * Our rewrite meets the peer on a full disk (the journal refuses the instant version's line
 * once); then the peer writes its next version from what it read: nothing may be read as deleted.
 */
async function expectPeersNextVersionKeepsAll(engine: Engine, file: string, peer: ReturnType<typeof peerRacingOurRewrite>['peer'], disk: ReturnType<typeof peerRacingOurRewriteOnFullDisk>['disk'], writeA = true): Promise<void> {
  await rewriteMeetingPeer(engine, peer, writeA);
  expect(disk.refused, 'the journal append after the swap back was never refused').toBe(1);
  peerWritesNext(file, peer.readByPeer as string);
  const names = await engine.read('work', (s) => [...s.values()].map((r) => r.name));
  expect(names).toEqual(expect.arrayContaining(['A', 'B', 'First', 'Second']));
  await engine.close();
}

describe('a peer that reads our version in the instant before its own is put back', () => {
  it("does not make its own earlier record read as deleted (fs seam: the peer's rename lands at our exchange; it reads the file at the swap back)", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    const { peer, fsys } = peerRacingOurRewrite(file);
    const engine = await openEngine(layout, { fs: fsys });
    await rewriteMeetingPeer(engine, peer);
    await engine.close();
    peerWritesNext(file, peer.readByPeer as string);

    // A fresh process (as the app or the CLI after it) judges it from the journal alone.
    const after = await openEngine(layout);
    const names = await after.read('work', (s) => [...s.values()].map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['A', 'B', 'First', 'Second']));
    await after.flush();
    expect(fs.readFileSync(file, 'utf8')).toContain('"name":"First"');
    await after.close();
  });

  it("still knows that instant itself when the journal refuses its line (disk full): the same process judges the peer's next version without deleting its record", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    const { peer, disk } = peerRacingOurRewriteOnFullDisk(file);
    const engine = await openEngine(layout, { fs: disk.fsys });
    await expectPeersNextVersionKeepsAll(engine, file, peer, disk);
  });

  it("the same after a fast open whose checkpoint holds no versions (rebuilt from the journal at first use, which must not drop that instant)", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    const first = await openEngine(layout);
    await first.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await first.close();
    // A checkpoint without the versions (as an older one, or one written before they were loaded).
    const checkpoint = contextPaths(layout, 'work').checkpoint;
    const saved = JSON.parse(fs.readFileSync(checkpoint, 'utf8')) as Record<string, unknown>;
    expect(saved.versions, 'the checkpoint had no versions to take away: the test would not reach the rebuild').toBeDefined();
    delete saved.versions;
    fs.writeFileSync(checkpoint, JSON.stringify(saved));
    const { peer, disk } = peerRacingOurRewriteOnFullDisk(file);
    const engine = await openEngine(layout, { fs: disk.fsys });
    expect(await engine.read('work', (_s, store) => store.openedFast), 'the open was not the fast one').toBe(true);
    await expectPeersNextVersionKeepsAll(engine, file, peer, disk, false);
  });

  it("journals a third program's version that replaced ours in the instant before the swap back (fs seam: it lands just before that exchange, which hands it back to us)", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    let third = 0;
    const { peer, fsys } = peerRacingOurRewrite(file, () => {
      // A third writer read the file (ours, for that instant) and rewrote it with its own record.
      third += 1;
      fs.writeFileSync(`${file}.third`, `${fs.readFileSync(file, 'utf8').trimEnd()}\n${line('Third')}`);
      fs.renameSync(`${file}.third`, file);
    });
    const engine = await openEngine(layout, { fs: fsys });
    await rewriteMeetingPeer(engine, peer);
    expect(third, 'the third writer never ran: the test did not reach the swap back').toBe(1);
    // The swap back put the first peer's version in place; the third's came out of it and is journaled.
    expect(fs.readFileSync(file, 'utf8')).toContain('"name":"First"');
    expect(fs.readdirSync(layout.root).filter((name) => name.includes('.replaced-')), 'a kept copy was left behind').toEqual([]);
    await engine.flush();
    for (const name of ['A', 'B', 'First', 'Third']) expect(fs.readFileSync(file, 'utf8'), `${name} in the file after the flush`).toContain(`"name":"${name}"`);
    await engine.close();
    const after = await openEngine(layout);
    const names = await after.read('work', (s) => [...s.values()].map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['A', 'B', 'First', 'Third']));
    const findings = await after.read('work', (_s, store) => store.findings.map((f) => f.kind));
    expect(findings).toEqual([]);
    await after.close();
  });

  it("keeps every record when the folder's sync after the swap back fails (fs seam: EIO on that fsync): the peer's version is in place, ours is journaled, nothing is read as deleted", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    let failFolderSync = false;
    let failed = 0;
    const folders = new Set<number>();
    const { peer, fsys } = peerRacingOurRewrite(file, () => (failFolderSync = true));
    const failing: FileSystem = {
      ...fsys,
      openSync: (target, flags, mode) => {
        const fd = realFileSystem.openSync(target, flags, mode);
        if (target === layout.root && flags === 'r') folders.add(fd);
        return fd;
      },
      fsyncSync: (fd) => {
        if (failFolderSync && folders.has(fd)) {
          failFolderSync = false;
          failed += 1;
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        }
        realFileSystem.fsyncSync(fd);
      },
      closeSync: (fd) => {
        folders.delete(fd);
        realFileSystem.closeSync(fd);
      },
    };
    const engine = await openEngine(layout, { fs: failing });
    await rewriteMeetingPeer(engine, peer);
    expect(failed, "the folder's sync after the swap back never failed: the test did not reach it").toBe(1);
    await engine.flush();
    // The flush is done: the file holds everything (not the peer's version, taken for ours).
    for (const name of ['A', 'B', 'First']) expect(fs.readFileSync(file, 'utf8'), `${name} in the file after the flush`).toContain(`"name":"${name}"`);
    await engine.close();
    const after = await openEngine(layout);
    const names = await after.read('work', (s) => [...s.values()].map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['A', 'B', 'First']));
    await after.flush();
    for (const name of ['A', 'B', 'First']) expect(fs.readFileSync(file, 'utf8')).toContain(`"name":"${name}"`);
    await after.close();
  });
});
