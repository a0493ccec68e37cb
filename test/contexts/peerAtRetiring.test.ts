// A peer writing the old file at the moment a renamed context's file is taken away
// (contexts/retiredFile.ts). Found with strace in the rename race test: the reference server's
// version landed just before the file was set aside; the server then found no file, wrote one
// holding only its next entity, and renamed it over the version we had just put back. Its
// earlier entity was in no file and no journal. Here the same interleaving through the fs seam,
// and a crash between setting the file aside and taking it in.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { tempLayout } from '../helpers/tempRoot.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { adoptLeftovers, renameContext } from '../../electron/core/contexts/contextRename.ts';
import { QUIET_MS } from '../../electron/core/contexts/retiredFile.ts';
import type { DataLayout } from '../../electron/core/dataRoot.ts';

closeAfterEachTest();

const peerLine = (name: string) => JSON.stringify({ type: 'entity', name, entityType: 'note', observations: [`${name}, by the reference server`] });

/** A peer's whole-file write as the reference server makes it: a temporary file renamed over the context file. */
function peerWrites(file: string, text: string): void {
  fs.writeFileSync(`${file}.peer.tmp`, text);
  fs.renameSync(`${file}.peer.tmp`, file);
}

async function namesIn(layout: DataLayout, context: string): Promise<string[]> {
  const check = await trackedEngine(layout);
  await adoptLeftovers(check);
  const names = await check.read(context, (state) => [...state.values()].map((r) => r.name ?? r.raw));
  await check.close();
  return names;
}

describe('a peer writing a renamed context file while it is taken away', () => {
  it("keeps the version that landed just before the file was set aside, when the peer then writes a new file from nothing over it (fs seam: the peer's renames land at our set-aside and put-back)", async () => {
    const layout = tempLayout();
    const file = contextPaths(layout, 'work').file;
    let stage: 'idle' | 'armed' | 'aside' | 'done' = 'idle';
    const putBack = (from: string, to: string) => stage === 'aside' && from.includes('.retiring-') && to === file;
    const racing: FileSystem = {
      ...realFileSystem,
      renameSync: (from, to) => {
        if (stage === 'armed' && to.includes('.retiring-')) {
          // The peer's version (what it read, plus Early) lands an instant before we set the file aside.
          peerWrites(file, `${fs.readFileSync(file, 'utf8').trimEnd()}\n${peerLine('Early')}`);
          realFileSystem.renameSync(from, to);
          stage = 'aside';
          return;
        }
        realFileSystem.renameSync(from, to);
        if (putBack(from, to)) lateWrite();
      },
      linkSync: (from, to) => {
        realFileSystem.linkSync(from, to);
        if (putBack(from, to)) lateWrite();
      },
    };
    // The peer read the file while it was aside (none there) and writes one holding only Late.
    const lateWrite = () => {
      stage = 'done';
      peerWrites(file, peerLine('Late'));
    };
    const engine = await trackedEngine(layout, { fs: racing });
    const charts = new ChartService(engine);
    const { id } = await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers'], steps: ['Automate invoices'] });
    await engine.flush();
    stage = 'armed';
    await renameContext(engine, 'work', 'job');
    await engine.close();
    expect(stage, 'the peer never wrote at the put-back: the test did not reach it').toBe('done');

    const job = await namesIn(layout, 'job');
    expect(job).toEqual(expect.arrayContaining(['Early', 'Late']));
    expect(job.filter((name) => name === 'Early')).toHaveLength(1);
    const service = new ChartService(await trackedEngine(layout));
    expect((await service.show('job', id)).steps.map((s) => s.title)).toEqual(['Automate invoices']);
  });

  it("the disk full while the set-aside version is journaled: the rename fails with a clear error, and the peer's version is taken in once there is space (fs seam: journal appends refused from the set-aside on)", async () => {
    const layout = tempLayout();
    const file = contextPaths(layout, 'work').file;
    let full = false;
    let refused = 0;
    const racing: FileSystem = {
      ...realFileSystem,
      renameSync: (from, to) => {
        if (!full && refused === 0 && to.includes('.retiring-')) {
          // The peer's version lands just before the set-aside; from then on the disk is full.
          peerWrites(file, `${fs.readFileSync(file, 'utf8').trimEnd()}\n${peerLine('Early')}`);
          full = true;
        }
        realFileSystem.renameSync(from, to);
      },
      openSync: (target, flags, mode) => {
        if (full && String(target).endsWith('.journal.jsonl') && flags === 'a') {
          refused += 1;
          throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(target)}'`), { code: 'ENOSPC' });
        }
        return realFileSystem.openSync(target, flags, mode);
      },
    };
    const engine = await trackedEngine(layout, { fs: racing });
    const charts = new ChartService(engine);
    const { id } = await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers'] });
    await engine.flush();
    const failure = await renameContext(engine, 'work', 'job').then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(refused, 'no journal append was refused: the test did not reach the set-aside').toBeGreaterThan(0);
    expect(failure?.code).toBe('DISK_FULL');
    expect(failure?.message).toMatch(/space|full/i);
    full = false;
    await engine.close();

    // Space again: the next process finishes the rename, with the peer's record, once.
    const job = await namesIn(layout, 'job');
    expect(job.filter((name) => name === 'Early')).toHaveLength(1);
    const service = new ChartService(await trackedEngine(layout));
    expect((await service.show('job', id)).desiredOutcome).toBe('Ship billing');
  });

  it('a file set aside by a process that died before reading it is taken in by the next context operation (crash simulated: the set-aside file is left as a killed process leaves it)', async () => {
    const layout = tempLayout();
    const engine = await trackedEngine(layout);
    const charts = new ChartService(engine);
    await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers'] });
    await engine.flush();
    await renameContext(engine, 'work', 'job');
    await engine.close();
    // What a process killed right after setting the file aside leaves: the peer's version
    // under the set-aside name, no context file.
    const aside = path.join(layout.root, '.history', 'charts-work.retiring-999999.tmp');
    fs.writeFileSync(aside, peerLine('WrittenJustBefore'));
    expect(fs.existsSync(contextPaths(layout, 'work').file)).toBe(false);

    expect(await namesIn(layout, 'job')).toContain('WrittenJustBefore');
    expect(fs.existsSync(aside), 'the set-aside file is gone once taken in').toBe(false);
  });
});

describe('a peer writing in place into the empty file of a renamed context', () => {
  it("its write through a descriptor opened just before the file was set aside is taken in later, not deleted with the file (fs seam: the peer's descriptor is opened with O_TRUNC in the test process as our set-aside begins, and written after the rename returns)", async () => {
    const layout = tempLayout();
    const file = contextPaths(layout, 'work').file;
    let peerFd: number | undefined;
    const racing: FileSystem = {
      ...realFileSystem,
      renameSync: (from, to) => {
        // coaia-narrative's fs.writeFile: open with O_TRUNC (the file is our emptied one), write a moment later.
        if (peerFd === undefined && to.includes('.retiring-')) peerFd = fs.openSync(file, 'w');
        realFileSystem.renameSync(from, to);
      },
    };
    const engine = await trackedEngine(layout, { fs: racing });
    const charts = new ChartService(engine);
    await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers'] });
    await engine.flush();
    await renameContext(engine, 'work', 'job');
    await engine.close();
    expect(peerFd, 'the peer never opened the file: the test did not reach the set-aside').toBeDefined();
    fs.writeSync(peerFd as number, peerLine('WrittenInPlace'));
    fs.closeSync(peerFd as number);

    expect(await namesIn(layout, 'job')).toContain('WrittenInPlace');
    // What is still set aside is the file emptied again after its record moved on: it goes
    // once it has stayed unwritten for QUIET_MS (aged here), at the next context operation.
    const history = path.join(layout.root, '.history');
    const setAside = () => fs.readdirSync(history).filter((name) => name.includes('.retiring-'));
    for (const name of setAside()) {
      expect(fs.statSync(path.join(history, name)).size, `${name} holds nothing`).toBe(0);
      const before = new Date(Date.now() - QUIET_MS - 1_000);
      fs.utimesSync(path.join(history, name), before, before);
    }
    expect(await namesIn(layout, 'job')).toContain('WrittenInPlace');
    expect(setAside()).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
  });
});
