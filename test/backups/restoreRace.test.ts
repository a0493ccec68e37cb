// A restore takes its safety backup under one hold of the lock and commits under another. A
// change another process commits between the two (here: while the restoring process is
// stopped with a real SIGSTOP just after its safety backup, its lock taken over as stale) was
// replaced by the restore, which said "what it replaced is in backup S": S did not hold it, so
// the change was in no backup and the undo could not bring it back. The restore is refused
// now (CONFLICT, nothing changed) when the change touches what it replaces.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, findBackup } from '../../electron/core/backups.ts';
import { readBackupContext } from '../../electron/core/backupChecking.ts';
import { exitOf, runCli, spawnTs } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stalledRestoreChild.ts');

const openEngine = (data: string) => Engine.open({ layout: resolveLayout({ data }), origin: 'cli', lockStaleMs: 2000 });

async function commit(data: string, name: string, observation: string): Promise<void> {
  const engine = await openEngine(data);
  try {
    await engine.transact('work', (s) => setEntity(s, { name, entityType: 'x', observations: [observation] }));
  } finally {
    await engine.close();
  }
}

async function entities(data: string): Promise<Record<string, unknown>> {
  const engine = await openEngine(data);
  try {
    return await engine.read('work', (s) => Object.fromEntries([...s.values()].map((r) => JSON.parse(r.raw) as { name: string; observations: unknown }).map((r) => [r.name, r.observations])));
  } finally {
    await engine.close();
  }
}

/** Runs the stalled restore; `meanwhile` commits while it is stopped. Its one line of JSON. */
async function restoreWith(data: string, args: string[], meanwhile: () => Promise<void>): Promise<Record<string, unknown>> {
  const child = spawnTs(CHILD, [data, ...args]);
  const exited = exitOf(child, 90_000);
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the restore never stalled: ${seen}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes('stalled\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    await meanwhile();
  } finally {
    child.kill('SIGCONT');
  }
  const result = await exited;
  expect(result?.code, result?.stderr).toBe(0);
  return JSON.parse(seen.split('\n').filter((l) => l.startsWith('{')).at(-1) as string) as Record<string, unknown>;
}

async function newRoot(): Promise<{ data: string; b0: string }> {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  await commit(data, 'seed', 'in the backup');
  const engine = await openEngine(data);
  const b0 = (await createBackup(engine, 'manual')).id;
  await engine.close();
  await commit(data, 'later', 'after the backup');
  return { data, b0 };
}

describe('a change committed between a restore\'s safety backup and its commit (real SIGSTOP/SIGCONT)', () => {
  it('a whole-context restore is refused, nothing changed, and the change is kept', async () => {
    const { data, b0 } = await newRoot();
    const result = await restoreWith(data, [b0, 'work'], () => commit(data, 'meanwhile', 'acknowledged during the restore'));
    expect(result).toMatchObject({ error: 'CONFLICT' });
    expect(String(result.message)).toMatch(/refused; nothing was changed/);
    expect(await entities(data)).toEqual({ seed: ['in the backup'], later: ['after the backup'], meanwhile: ['acknowledged during the restore'] });
    // Run again, it restores, and what it replaced is in its own safety backup.
    const again = runCli(['backup', 'restore', b0, '--context', 'work', '--data', data, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const safety = again.json<{ safetyBackup: string }>().safetyBackup;
    const engine = await openEngine(data);
    expect([...(readBackupContext(engine, findBackup(engine, safety), 'work')?.map.values() ?? [])].map((r) => (JSON.parse(r.raw) as { name: string }).name).sort()).toEqual(['later', 'meanwhile', 'seed']);
    await engine.close();
    expect(await entities(data)).toEqual({ seed: ['in the backup'] });
  }, 120_000);

  it('a chart restore is refused when the change touches that chart, and goes ahead when it touches only another', async () => {
    const { data } = await newRoot();
    const created = runCli(['chart', 'create', '--data', data, '--context', 'work', '--outcome', 'Ship billing', '--reality', 'three pilots']);
    expect(created.status, created.stderr).toBe(0);
    const chart = created.stdout.trim();
    const engine = await openEngine(data);
    const b1 = (await createBackup(engine, 'manual')).id;
    await engine.close();
    expect(runCli(['outcome', 'set', chart, '--text', 'Ship billing to everyone', '--data', data, '--context', 'work']).status).toBe(0);
    const key = `${chart}_desired_outcome`;

    const refused = await restoreWith(data, [b1, 'work', chart], () => commit(data, `${chart}_desired_outcome`, 'edited during the restore'));
    expect(refused).toMatchObject({ error: 'CONFLICT' });
    expect((await entities(data))[key]).toContain('edited during the restore');

    const done = await restoreWith(data, [b1, 'work', chart], () => commit(data, 'unrelated', 'another chart\'s change'));
    expect(done).toMatchObject({ restoredFrom: b1, chartId: chart });
    const after = await entities(data);
    expect(after.unrelated).toEqual(["another chart's change"]);
    expect(after[key]).toEqual(['Ship billing']);
  }, 120_000);
});
