// The name a rewrite stages its file under and keeps what it replaced under
// (fileReplacement.ts): it says the staged file's size and CRC-32, so that the next open tells
// a killed rewrite's own file from the version its exchange displaced.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keptCopyName, readKeptCopyName, swapIntoPlace } from '../../electron/core/fileReplacement.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterAll(removeTempDirs);

describe('the kept copy name', () => {
  it('reads back as written, and an older name as one that does not say', () => {
    const name = path.basename(keptCopyName('/data/charts-work.jsonl', { size: 2910, crc: '03bf57aa' }));
    expect(name).toBe(`charts-work.jsonl.replaced-${process.pid}-2910-03bf57aa`);
    expect(readKeptCopyName('charts-work.jsonl', name)).toEqual({ pid: process.pid, staged: { size: 2910, crc: '03bf57aa' } });
    expect(readKeptCopyName('charts-work.jsonl', 'charts-work.jsonl.replaced-4242')).toEqual({ pid: 4242, staged: undefined });
    // Not a kept copy of this file: another context's, a name cut short, or anything else.
    expect(readKeptCopyName('charts-work.jsonl', 'charts-work2.jsonl.replaced-4242')).toBeUndefined();
    expect(readKeptCopyName('charts-work.jsonl', 'charts-work.jsonl.replaced-4242-2910')).toBeUndefined();
    expect(readKeptCopyName('charts-work.jsonl', 'charts-work.jsonl.replaced-4242-2910-xyz')).toBeUndefined();
    expect(readKeptCopyName('charts-work.jsonl', 'charts-work.jsonl')).toBeUndefined();
  });

  // Review: near the 255-byte limit the longer name made every rewrite fail (ENAMETOOLONG).
  it('falls back to the older name where the file system would refuse the longer one, and a rewrite of such a file still goes through', () => {
    const dir = tempDir('tension-kept-name-');
    // Long enough that the longer name is over 255 bytes whatever the pid's digits (a pid of 3
    // digits made it exactly 255 with 220 m's: the longer name fit, and the test failed).
    const file = path.join(dir, `${'m'.repeat(230 - String(process.pid).length)}.jsonl`);
    expect(Buffer.byteLength(path.basename(`${file}.replaced-${process.pid}-123456-abcdef01`))).toBeGreaterThan(255);
    expect(Buffer.byteLength(path.basename(keptCopyName(file, { size: 123456, crc: 'abcdef01' })))).toBeLessThanOrEqual(255);
    expect(keptCopyName(file, { size: 123456, crc: 'abcdef01' })).toBe(`${file}.replaced-${process.pid}`);
    fs.writeFileSync(file, 'old\n');
    const tmp = path.join(dir, 'staged');
    fs.writeFileSync(tmp, 'new\n');
    const swapped = swapIntoPlace(realFileSystem, tmp, file, { size: 4, crc: 'ffffffff' });
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    if (swapped.keptAt) expect(fs.readFileSync(swapped.keptAt, 'utf8')).toBe('old\n');
  });
});
