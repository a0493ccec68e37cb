// A peer that opened a file (truncating it) just before we set it aside or replaced it writes
// into it a moment later. When the file was already empty, its truncation can fall in our own
// write's clock tick, so only time tells: writtenIntoEmptyFile looks again until the file has
// stayed unwritten for a while. The peer here is a real process writing through its descriptor.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { writtenIntoEmptyFile } from '../../electron/core/fileReplacement.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

/** A process that opens `file` with O_TRUNC, says so, and writes `text` through that descriptor `delayMs` later. */
function peerWritingLate(file: string, text: string, delayMs: number): Promise<void> {
  const script = `const fs=require('fs'); const fd=fs.openSync(process.argv[1],'w'); process.stdout.write('opened\\n'); setTimeout(()=>{fs.writeSync(fd, process.argv[2]); fs.closeSync(fd);}, Number(process.argv[3]));`;
  const child = spawn(process.execPath, ['-e', script, file, text, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
}

describe('a peer writing into an empty file through a descriptor it opened before', () => {
  it('its late write is found, not lost with the file', async () => {
    const file = path.join(tempDir(), 'charts-work.jsonl');
    fs.writeFileSync(file, '');
    const line = '{"type":"entity","name":"late","entityType":"note","observations":[]}\n';
    await peerWritingLate(file, line, 80);
    const aside = `${file}.aside`;
    fs.renameSync(file, aside); // as takeAwayRetiredFile sets it aside (the peer keeps its descriptor)
    const found = writtenIntoEmptyFile(realFileSystem, aside);
    expect(found?.bytes.toString('utf8')).toBe(line);
  });

  it('an empty file unwritten for a while is taken for empty', () => {
    const file = path.join(tempDir(), 'charts-work.jsonl');
    fs.writeFileSync(file, '');
    const aMomentAgo = new Date(Date.now() - 5_000);
    fs.utimesSync(file, aMomentAgo, aMomentAgo);
    expect(writtenIntoEmptyFile(realFileSystem, file)).toBeUndefined();
  });
});
