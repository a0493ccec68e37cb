// A writer killed right after its rewrite swapped the context file into place, before the
// snapshot line that names that file as ours: the next process finds a file no journal line
// names. It holds exactly the journal's state, so that process takes it as it is and commits
// on. The process after that must not take the old file for another program's version written
// from an older one: it would "restore" the killed writer's values over what was committed
// since (seen once in CI's SIGKILL torture: "charts-work.jsonl was changed by another program:
// 2 records added or changed"). Each step is a fresh process, killed as a crash would.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { runChildThatKillsItself } from '../charts/crashSupport.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { Engine } from '../../electron/core/engine.ts';
import { entityKey, parseValue } from '../../electron/core/records.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import type { OwnFileChildConfig } from './ownFileChild.ts';
import { scanJournal } from './support.ts';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ownFileChild.ts');
const CONTEXT = 'work';

async function step(root: string, kind: OwnFileChildConfig['step'], sets: OwnFileChildConfig['sets'], deletes: string[] = []) {
  const run = await runChildThatKillsItself(child, { root, context: CONTEXT, step: kind, sets, deletes } satisfies OwnFileChildConfig);
  expect(run.error, run.stderr).toBeUndefined();
  expect(run.signal, `${kind}: ${run.stderr}`).toBe(kind === 'seed' ? null : 'SIGKILL');
}

describe('our own rewrite on disk without its snapshot line (a crash between the two)', () => {
  afterAll(removeTempDirs);

  it('is not taken for another program\'s version by a later process: what was committed after it stands', async () => {
    const root = path.join(tempDir('tension-own-file-'), '.coaia');
    await step(root, 'seed', ['a', 'b', 'c', 'd', 'e'].map((name) => [name, 'v1'] as const));
    const paths = contextPaths(resolveLayout({ data: root }), CONTEXT);
    const seeded = fs.readFileSync(paths.file, 'utf8');
    await step(root, 'swap-kill', [['a', 'v2'], ['b', 'v2'], ['f', 'v1']]);
    // The kill came after the swap: the file on disk is the killed writer's, and no journal line names it.
    const swapped = fs.readFileSync(paths.file, 'utf8');
    expect(swapped).not.toBe(seeded);
    expect(swapped).toContain('"v2"');
    await step(root, 'commit-kill', [['a', 'v3'], ['g', 'v1']], ['b', 'f']);
    // The file is still the killed rewrite's: the second writer was killed before any rewrite.
    expect(fs.readFileSync(paths.file, 'utf8')).toBe(swapped);

    const engine = await Engine.open({ layout: resolveLayout({ data: root }), rewriteDelayMs: -1, lockStaleMs: 2000 });
    try {
      const values = await engine.read(CONTEXT, (state) =>
        Object.fromEntries(['a', 'b', 'c', 'f', 'g'].map((name) => {
          const record = state.get(entityKey(name));
          return [name, record ? (parseValue(record).metadata as { value: string }).value : undefined];
        })),
      );
      expect(values).toEqual({ a: 'v3', b: undefined, c: 'v1', f: undefined, g: 'v1' });
      const findings = (await verifyAll(engine, { backups: false })).contexts.flatMap((c) => c.findings).filter((f) => f.kind !== 'file-behind-journal');
      expect(findings.map((f) => `${f.kind}: ${f.message}`)).toEqual([]);
    } finally {
      await engine.close();
    }
    const verify = runCli(['verify', '--data', root, '--json']);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  it('gets its snapshot line from the first process that writes, once: later opens add nothing, and open fast again', async () => {
    const root = path.join(tempDir('tension-own-file-'), '.coaia');
    await step(root, 'seed', ['a', 'b', 'c'].map((name) => [name, 'v1'] as const));
    await step(root, 'swap-kill', [['a', 'v2'], ['d', 'v1']]);
    const paths = contextPaths(resolveLayout({ data: root }), CONTEXT);
    const swapped = fs.statSync(paths.file).size;
    const namingIt = () => scanJournal(paths.journal).entries.filter(({ entry }) => entry.kind === 'snapshot' && entry.fileSize === swapped).length;
    const lines = () => scanJournal(paths.journal).entries.length;
    expect(namingIt()).toBe(0);
    // Three fresh processes open, read and close, writing nothing of their own.
    await step(root, 'seed', []);
    expect(namingIt()).toBe(1);
    const after = lines();
    await step(root, 'seed', []);
    await step(root, 'seed', []);
    expect(lines()).toBe(after);
    const engine = await Engine.open({ layout: resolveLayout({ data: root }), rewriteDelayMs: -1, lockStaleMs: 2000 });
    try {
      const store = await engine.read(CONTEXT, (_state, s) => s);
      expect(store.openedFast).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
