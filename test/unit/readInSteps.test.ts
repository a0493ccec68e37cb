// Reading a large file a piece per step (readInSteps.ts): the same bytes as one read, with a step
// between pieces (where sliced work lets the engine's thread answer others), none for a small file.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileInSteps } from '../../electron/core/readInSteps.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

function stepsAndResult<T>(steps: Generator<void, T, void>): { steps: number; result: T } {
  let count = 0;
  for (;;) {
    const next = steps.next();
    if (next.done === true) return { steps: count, result: next.value };
    count += 1;
  }
}

describe('a file read a piece per step', () => {
  it('holds the same bytes as a read at once, with a step after each 8 MB piece but the last', () => {
    const file = path.join(tempDir(), 'big.jsonl');
    const bytes = Buffer.alloc(20 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7 + 3) % 251;
    fs.writeFileSync(file, bytes);
    const { steps, result } = stepsAndResult(readFileInSteps(realFileSystem, file));
    expect(steps).toBe(2);
    expect(result?.equals(bytes)).toBe(true);
  });

  it('a small file in one piece, an empty one, and none at all', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'small'), 'one line\n');
    fs.writeFileSync(path.join(dir, 'empty'), '');
    expect(stepsAndResult(readFileInSteps(realFileSystem, path.join(dir, 'small')))).toEqual({ steps: 0, result: Buffer.from('one line\n') });
    expect(stepsAndResult(readFileInSteps(realFileSystem, path.join(dir, 'empty'))).result?.length).toBe(0);
    expect(stepsAndResult(readFileInSteps(realFileSystem, path.join(dir, 'missing'))).result).toBeUndefined();
  });
});
