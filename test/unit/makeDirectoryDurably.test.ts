// makeDirectoryDurably on a failing disk, through the file-system seam (a disk error cannot be
// made on demand here): existsSync answers "missing" for every folder up to the root, so the
// folders it tries to make start at `/`. The error it throws names the folder the caller wanted
// (what the person is told), not `/dev` or `/`.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectoryDurably, realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

function eio(call: string, target: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EIO: i/o error, ${call} '${target}'`), { code: 'EIO', errno: -5, syscall: call, path: target });
}

describe('making a folder durably on a failing disk (seam: the failing disk is simulated)', () => {
  it('names the folder wanted when a folder above it fails', () => {
    const wanted = path.join(tempDir(), '.coaia', '.recovery');
    const tried: string[] = [];
    const failing: FileSystem = {
      ...realFileSystem,
      existsSync: () => false,
      mkdirSync: (target) => {
        tried.push(target);
        throw eio('mkdir', target);
      },
    };
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      makeDirectoryDurably(failing, wanted);
    } catch (error) {
      thrown = error as NodeJS.ErrnoException;
    }
    expect(tried[0], 'the walk went up to the top').not.toBe(wanted);
    expect(thrown?.code).toBe('EIO');
    expect(thrown?.path).toBe(wanted);
  });

  it('keeps the error of the folder wanted itself as it is; the folders above it are made', () => {
    const parent = tempDir();
    const wanted = path.join(parent, 'made-by-another', 'mine');
    const failing: FileSystem = {
      ...realFileSystem,
      mkdirSync: (target, options) => {
        if (target === wanted) throw eio('mkdir', target);
        return realFileSystem.mkdirSync(target, options);
      },
    };
    expect(() => makeDirectoryDurably(failing, wanted)).toThrow(expect.objectContaining({ code: 'EIO', path: wanted }));
    expect(realFileSystem.existsSync(path.dirname(wanted))).toBe(true);
  });
});
