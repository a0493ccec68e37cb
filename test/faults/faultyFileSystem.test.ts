// The fault injector itself: if it fired at the wrong call, or its errors did not look like
// Node's, every walk in ioErrors.test.ts would test something else than it claims.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAll } from '../../electron/core/fileSystem.ts';
import { fromSystemError } from '../../electron/core/errors.ts';
import { FaultyFileSystem, unwritableFileSystem } from './faultyFileSystem.ts';
import { removeScratchDirs, scratchDir } from './support.ts';

afterAll(() => removeScratchDirs());

describe('the fault injector', () => {
  it('fails exactly the n-th matching call, with an error shaped like node:fs throws', () => {
    const dir = scratchDir();
    const fsys = new FaultyFileSystem().arm({ nth: 2, ops: ['statSync'], effect: { kind: 'errno', errno: 'EIO' } });
    expect(() => fsys.statSync(dir, { bigint: true })).not.toThrow();
    fsys.readdirSync(dir); // not a matching operation: not counted
    let error: NodeJS.ErrnoException | undefined;
    try {
      fsys.statSync(dir, { bigint: true });
    } catch (e) {
      error = e as NodeJS.ErrnoException;
    }
    expect(error?.code).toBe('EIO');
    expect(error?.syscall).toBe('stat');
    expect(error?.path).toBe(dir);
    expect(error?.errno).toBeLessThan(0);
    expect(() => fsys.statSync(dir, { bigint: true })).not.toThrow(); // once only
    expect(fsys.hits).toBe(1);
    expect(fsys.matched).toBe(3);
    expect(fromSystemError(error, 'Reading', dir, 'Nothing was changed.').code).toBe('IO_ERROR');
  });

  it('keeps failing from the n-th call on in persist mode, and only for paths that match', () => {
    const dir = scratchDir();
    const a = path.join(dir, 'a.txt');
    const b = path.join(dir, 'b.txt');
    fs.writeFileSync(a, 'a');
    fs.writeFileSync(b, 'b');
    const fsys = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', path: /a\.txt$/, effect: { kind: 'errno', errno: 'EACCES' } });
    expect(() => fsys.readFileSync(a)).toThrow(/EACCES/);
    expect(() => fsys.readFileSync(a)).toThrow(/EACCES/);
    expect(fsys.readFileSync(b).toString()).toBe('b');
    fsys.disarm();
    expect(fsys.readFileSync(a).toString()).toBe('a');
  });

  it('names the file of a descriptor call by the path it was opened with, and closes it even when close fails', () => {
    const dir = scratchDir();
    const file = path.join(dir, 'f.txt');
    const fsys = new FaultyFileSystem().arm({ nth: 1, ops: ['closeSync'], path: /f\.txt$/, effect: { kind: 'errno', errno: 'EIO' } });
    const fd = fsys.openSync(file, 'w');
    expect(() => fsys.closeSync(fd)).toThrow(/EIO/);
    // The descriptor is gone, as after a failed close(2).
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
    expect(fsys.injectedCalls()[0]?.paths).toEqual([file]);
  });

  it('makes a short write: about half is written for real and counted; the next writes follow the chosen outcome', () => {
    const dir = scratchDir();
    const data = Buffer.from('0123456789abcdef');
    for (const then of ['ok', 'zero', 'enospc'] as const) {
      const file = path.join(dir, `${then}.txt`);
      const fsys = new FaultyFileSystem().arm({ nth: 1, ops: ['writeSync'], effect: { kind: 'short-write', then } });
      const fd = fsys.openSync(file, 'w');
      try {
        expect(fsys.writeSync(fd, data, 0, data.length, null)).toBe(8);
        if (then === 'ok') writeAll(fsys, fd, data.subarray(8));
        else expect(() => writeAll(fsys, fd, data.subarray(8))).toThrow(/ENOSPC|short write/);
      } finally {
        fsys.closeSync(fd);
      }
      expect(fs.readFileSync(file).toString()).toBe(then === 'ok' ? data.toString() : data.subarray(0, 8).toString());
    }
  });

  it('an unwritable file system refuses every change and allows every read', () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, 'r.txt'), 'r');
    const fsys = unwritableFileSystem('EROFS');
    expect(fsys.readFileSync(path.join(dir, 'r.txt')).toString()).toBe('r');
    expect(() => fsys.openSync(path.join(dir, 'w.txt'), 'a')).toThrow(/EROFS/);
    expect(() => fsys.mkdirSync(path.join(dir, 'd'), { recursive: true })).toThrow(/EROFS/);
    expect(() => fsys.unlinkSync(path.join(dir, 'r.txt'))).toThrow(/EROFS/);
    expect(() => fsys.renameSync(path.join(dir, 'r.txt'), path.join(dir, 's.txt'))).toThrow(/EROFS/);
    expect(fs.readdirSync(dir)).toEqual(['r.txt']);
  });
});
