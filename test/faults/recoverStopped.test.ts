// A repair stopped part-way (here: the disk full from one write of it on, each write in turn,
// through the file-system seam) must leave the damage for the next repair to find. It once cut
// the damaged journal entries out first and committed what a backup held of them after: stopped
// between the two, the journal no longer named what it had lost, and the next repair found
// nothing to restore (the record stayed at its older version, with exit 0). Each next repair
// runs in a fresh engine, as a person would run `tension recover` again.
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { FaultyFileSystem } from './faultyFileSystem.ts';
import { copyRoot, removeScratchDirs } from './support.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(() => {
  removeTempDirs();
  removeScratchDirs();
});

/**
 * X set twice, Y once, a backup after both; then the journal entry of X's second version
 * damaged, and X's line in the context file too (so only the backup holds that version).
 */
async function damagedAfterBackup(): Promise<DataLayout> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  for (const [name, observations] of [['X', ['first']], ['Y', ['y1']], ['X', ['first', 'second acknowledged']]] as const) {
    await engine.transact('default', (state) => setEntity(state, { name, entityType: 'thing', observations: [...observations] }));
  }
  await createBackup(engine, 'manual');
  await engine.close();
  const { journal, file } = contextPaths(layout, 'default');
  damageLine(journal, (line) => line.includes('"kind":"commit"') && line.includes('"second acknowledged"'), '"second acknowledged"', '"second acknowledgeX"');
  damageLine(file, (line) => line.includes('"name":"X"'), '"observations":[', `"observations":['`);
  return layout;
}

function damageLine(path: string, which: (line: string) => boolean, text: string, replacement: string): void {
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  const at = lines.findIndex(which);
  expect(at).toBeGreaterThanOrEqual(0);
  lines[at] = (lines[at] as string).replace(text, replacement);
  fs.writeFileSync(path, lines.join('\n'));
}

const observationsOfX = async (layout: DataLayout) => {
  const engine = await openEngine(layout);
  try {
    const raw = await engine.read('default', (state) => state.get('e\u0000X')?.raw);
    return (JSON.parse(raw ?? '{}') as { observations?: string[] }).observations;
  } finally {
    await engine.close();
  }
};

it('a repair stopped at any write leaves what the next repair needs: X comes back as acknowledged', async () => {
  const base = await damagedAfterBackup();
  let stopped = 0;
  for (let nth = 1; ; nth += 1) {
    const layout = copyRoot(base);
    const faulty = new FaultyFileSystem();
    faulty.logging = false;
    const engine = await openEngine(layout, { fs: faulty, lockLeaseMs: 0 });
    faulty.arm({ nth, when: (call) => call.mutates, mode: 'persist', effect: { kind: 'errno', errno: 'ENOSPC' } });
    const failed = await recoverAll(engine).then(() => false, () => true);
    const hit = faulty.hits > 0;
    faulty.disarm();
    await engine.close().catch(() => undefined);
    if (failed) stopped += 1;
    // The next repair, in a fresh engine with room on the disk.
    const again = await openEngine(layout);
    try {
      await recoverAll(again);
    } finally {
      await again.close();
    }
    expect(await observationsOfX(layout), `the repair stopped at write ${nth}, then run again`).toEqual(['first', 'second acknowledged']);
    if (!hit) break;
  }
  expect(stopped).toBeGreaterThan(3);
}, 300_000);
