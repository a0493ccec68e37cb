// Regression tests for defects found in review: each is a path a user could hit.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

describe('found in review', () => {
  it('on a file system without hard links (link fails with EPERM) the context file is still rewritten (fs seam: link refused)', async () => {
    const noLinks: FileSystem = { ...realFileSystem, linkSync: () => { throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }); } };
    const layout = tempLayout();
    const engine = await openEngine(layout, { fs: noLinks });
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.flush();
    await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
    await engine.close();
    expect(fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8')).toContain('"name":"B"');
  });

  for (const landAt of ['exchangeSync', 'linkSync'] as const) {
    it(`a peer's rename that lands just before ours is never lost, even when saving its changes fails (fs seam: peer write at ${landAt === 'exchangeSync' ? 'the exchange' : 'link time, no exchange'}, then a full disk)`, async () => {
      const layout = tempLayout();
      const file = path.join(layout.root, 'charts-work.jsonl');
      let armed = false;
      let journalWrites = 0;
      const peerLands = () => {
        if (!armed) return;
        armed = false;
        const peer = `${fs.readFileSync(file, 'utf8')}{"type":"entity","name":"PeerOnly","entityType":"t","observations":["typed in the assistant"]}`;
        fs.writeFileSync(`${file}.peer`, peer);
        fs.renameSync(`${file}.peer`, file);
        journalWrites = 1;
      };
      const racing: FileSystem = {
        ...realFileSystem,
        exchangeSync: (a, b) => {
          if (landAt === 'linkSync') throw Object.assign(new Error('ENOSYS: no exchange here'), { code: 'ENOSYS' });
          peerLands();
          realFileSystem.exchangeSync(a, b);
        },
        linkSync: (from, to) => {
          peerLands();
          realFileSystem.linkSync(from, to);
        },
        writeSync: (fd, buffer, offset, length, position) => {
          if (journalWrites > 0 && Buffer.from(buffer.subarray(offset, offset + length)).toString().includes('"kind":"commit"')) {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return realFileSystem.writeSync(fd, buffer, offset, length, position);
        },
      };
      const engine = await openEngine(layout, { fs: racing });
      await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
      await engine.flush();
      await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
      armed = true;
      await expect(engine.flush()).rejects.toMatchObject({ code: 'DISK_FULL' });
      expect(armed, 'the peer never landed: the test did not reach the swap').toBe(false);
      if (landAt === 'exchangeSync') {
        // The exchange handed the peer's version back and it was put straight back in place:
        // it is the context file again, untouched, until its changes can be journaled.
        expect(fs.readFileSync(file, 'utf8')).toContain('PeerOnly');
      } else {
        const recovery = path.join(layout.root, '.recovery');
        const saved = fs.readdirSync(recovery).filter((f) => f.endsWith('.bad')).map((f) => fs.readFileSync(path.join(recovery, f), 'utf8'));
        expect(saved.some((text) => text.includes('PeerOnly'))).toBe(true);
      }
      // Once the disk has room again, both sides' changes are saved.
      journalWrites = 0;
      await engine.flush();
      const names = await engine.read('work', (s) => [...s.values()].map((r) => r.name));
      expect(names).toEqual(expect.arrayContaining(['A', 'B', ...(landAt === 'exchangeSync' ? ['PeerOnly'] : [])]));
      await engine.close();
    });
  }

  it("a peer's version displaced by our exchange that cannot be read at that instant still goes back, and is saved once readable (fs seam: the kept copy's read fails once with EIO)", async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    let armed = false;
    let failReads = 0;
    const racing: FileSystem = {
      ...realFileSystem,
      exchangeSync: (a, b) => {
        if (armed) {
          armed = false;
          const peer = `${fs.readFileSync(file, 'utf8')}{"type":"entity","name":"PeerOnly","entityType":"t","observations":["typed in the assistant"]}`;
          fs.writeFileSync(`${file}.peer`, peer);
          fs.renameSync(`${file}.peer`, file);
          failReads = 1;
        }
        realFileSystem.exchangeSync(a, b);
      },
      readFileSync: ((target: string, options?: unknown) => {
        if (failReads > 0 && String(target).includes('.replaced-')) {
          failReads -= 1;
          throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        }
        return (realFileSystem.readFileSync as (t: string, o?: unknown) => Buffer | string)(target, options);
      }) as FileSystem['readFileSync'],
    };
    const engine = await openEngine(layout, { fs: racing });
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.flush();
    await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
    armed = true;
    await engine.flush();
    expect(armed, 'the peer never landed: the test did not reach the exchange').toBe(false);
    expect(failReads, 'the kept copy was never read: the failure was not met').toBe(0);
    await engine.flush();
    const names = await engine.read('work', (s) => [...s.values()].map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['A', 'B', 'PeerOnly']));
    expect(fs.readFileSync(file, 'utf8')).toContain('PeerOnly');
    await engine.close();
  });

  it('work submitted while the engine closes is refused, and work before it is written to the file with no background error', async () => {
    const layout = tempLayout();
    const errors: unknown[] = [];
    const engine = await openEngine(layout, { rewriteDelayMs: 10, onBackgroundError: (e) => errors.push(e) });
    const before = engine.transact('work', (s) => setEntity(s, { name: 'Before', entityType: 't' }));
    const closing = engine.close();
    await expect(engine.transact('work', (s) => setEntity(s, { name: 'After', entityType: 't' }))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await before;
    await closing;
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8')).toContain('"name":"Before"');
    expect(errors).toEqual([]);
  });

  it("reopening a sub-chart's desired outcome as a step reopens the parent step it completed", async () => {
    const engine = await openEngine(tempLayout());
    const charts = new ChartService(engine);
    const { id } = await charts.create('work', { outcome: 'Top', reality: 'R', steps: ['Step'] });
    const { id: sub } = await charts.telescope('work', `${id}_action_1`);
    await charts.completeStep('work', `${sub}_desired_outcome`);
    await charts.reopenStep('work', `${sub}_desired_outcome`);
    const parent = await charts.show('work', id);
    expect(parent.steps[0]?.completed).toBe(false);
    expect(parent.currentReality).toEqual(['R']);
    expect((await engine.read('work', readGraph)).entities.length).toBeGreaterThan(0);
    await engine.close();
  });
});

describe('failure paths found in review', () => {
  it('a copy left by a process killed in the middle of a rewrite, named as older versions named it, goes to .recovery/ on the next open, never just deleted (nor taken in: the name does not say whether it is that rewrite\'s own file)', async () => {
    const { spawnSync } = await import('node:child_process');
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.close();
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const left = path.join(layout.root, `charts-work.jsonl.replaced-${deadPid}`);
    fs.writeFileSync(left, '{"type":"entity","name":"OnlyInTheKeptCopy","entityType":"t","observations":[]}\n');
    const again = await openEngine(layout);
    await again.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
    expect((await again.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['A', 'B']);
    await again.close();
    expect(fs.existsSync(left)).toBe(false);
    const recovery = path.join(layout.root, '.recovery');
    expect(fs.readdirSync(recovery).some((f) => f.endsWith('.bad') && fs.readFileSync(path.join(recovery, f), 'utf8').includes('OnlyInTheKeptCopy'))).toBe(true);
  });

  it('an append that fails and cannot be cut back says the change may have been saved (fs seam: fdatasync and ftruncate fail)', async () => {
    const layout = tempLayout();
    let failing = false;
    const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });
    const broken: FileSystem = {
      ...realFileSystem,
      fdatasyncSync: (fd) => {
        if (failing) throw eio('fdatasync');
        realFileSystem.fdatasyncSync(fd);
      },
      ftruncateSync: (fd, len) => {
        if (failing) throw eio('ftruncate');
        realFileSystem.ftruncateSync(fd, len);
      },
    };
    const engine = await openEngine(layout, { fs: broken });
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    failing = true;
    const error = await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' })).catch((e: unknown) => e);
    failing = false;
    expect(error).toMatchObject({ code: 'IO_ERROR', kept: expect.stringMatching(/may have been saved/) });
    // What is on disk decides: the next read shows the journal as it is.
    expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['A', 'B']);
    await engine.close();
  });
});
