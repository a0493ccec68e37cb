// The recovery wizard's engine side: what was found (each damaged line with its offset and
// escaped bytes, the records it held), where each can come from (the journal, a named backup,
// nowhere), what can still be read of lines nothing holds, a preview made by the repair's own
// plan, and each choice (repair after a backup, restore from a backup, leave it) carried out,
// verified and logged.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { readBackupFile } from '../../electron/core/backupChecking.ts';
import { analyzeContext } from '../../electron/core/recoveryAnalysis.ts';
import { applyRecoveryChoice, repairIfNoChoice } from '../../electron/core/recoveryChoice.ts';
import { readQuarantined } from '../../electron/core/quarantine.ts';
import { escapeBytes } from '../../electron/core/escapedText.ts';
import { salvageLine } from '../../electron/core/damagedLineSalvage.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const names = (graph: { entities: { name: string }[] }) => graph.entities.map((e) => e.name).sort();

/**
 * A context whose journal is gone (another tool's folder copied without .history/) and whose
 * file then got damaged: B's line (a backup holds B), D's line (made after the backup: nothing
 * holds it) and a line of garbage.
 */
async function damagedWithoutJournal(): Promise<{ layout: DataLayout; backupId: string; file: string }> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  for (const name of ['A', 'B', 'C']) await engine.transact('work', (s) => setEntity(s, { name, entityType: 'note', observations: [`${name} first`] }));
  const backup = await createBackup(engine, 'before the damage');
  await engine.transact('work', (s) => setEntity(s, { name: 'D', entityType: 'note', observations: ['made after the backup', 'second note'] }));
  await engine.close();
  fs.rmSync(path.join(layout.root, '.history'), { recursive: true });
  const file = contextPaths(layout, 'work').file;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = (name: string) => lines.findIndex((l) => l.includes(`"name":"${name}"`));
  lines[at('B')] = lines[at('B')]!.replace('"observations"', '"observations\u0000');
  lines[at('D')] = lines[at('D')]!.slice(0, lines[at('D')]!.indexOf('second') + 3);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from([0x67, 0x61, 0x72, 0xff, 0xfe, 0x0a])]));
  return { layout, backupId: backup.id, file };
}

describe('the recovery wizard, engine side', () => {
  it('finds each damaged line with its offset, escaped bytes and record; says where each can come from; salvages what nothing holds; previews the repair', async () => {
    const { layout, backupId, file } = await damagedWithoutJournal();
    const engine = await openEngine(layout);
    const bytes = fs.readFileSync(file);
    const analysis = await analyzeContext(engine, 'work');
    expect(analysis).toMatchObject({ ok: false, needsRepair: true, needsChoice: true, missingFile: false });
    expect(analysis.damagedLines).toHaveLength(3);
    for (const spot of analysis.damagedLines) expect(bytes.subarray(spot.offset, spot.offset + 3).toString('latin1')).toBe(spot.text.startsWith('{') ? '{"t' : 'gar');
    const [b, d, garbage] = analysis.damagedLines;
    expect(b!.affected).toEqual([{ key: expect.any(String), label: 'B', source: { from: 'backup', backup: backupId, created: expect.any(String) } }]);
    expect(b!.text).toContain('\\u0000');
    expect(d!.affected[0]).toMatchObject({ label: 'D', source: { from: 'nowhere' } });
    expect(d!.salvaged).toMatchObject({ kind: 'entity', name: 'D', entityType: 'note', observations: ['made after the backup'], cutObservation: 'sec' });
    expect(garbage!).toMatchObject({ text: 'gar\\xff\\xfe\\n', affected: [{ label: 'a record whose name cannot be read', source: { from: 'nowhere' } }] });
    expect(analysis.foundInDamagedLines.map((f) => f.name)).toEqual(['D']);
    expect(analysis.preview).toMatchObject({ records: 3, fromJournal: 0, lost: 2, fromBackups: [{ label: 'B', backup: backupId }] });
    expect(analysis.preview.lines.some((line) => line.includes('"name":"B"'))).toBe(true);
    expect(analysis.backups.map((c) => c.id)).toEqual([backupId]);
    // Nothing was changed by looking.
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(listBackups(engine)).toHaveLength(1);
    await engine.close();
  });

  it('repair: a backup of the damaged state first, the result is the preview, verified, logged, and what nothing held is kept and openable', async () => {
    const { layout, file } = await damagedWithoutJournal();
    const damagedBytes = fs.readFileSync(file);
    const engine = await openEngine(layout);
    const outcome = await applyRecoveryChoice(engine, 'work', { action: 'repair' });
    expect(outcome).toMatchObject({ action: 'repair', matchesPreview: true, verified: { ok: true } });
    expect(outcome.unrecovered).toHaveLength(2);
    // The backup taken first holds the context file as it was, damaged bytes and all.
    const safety = listBackups(engine).find((b) => b.id === outcome.safetyBackup)!;
    expect(safety.kind).toBe('before-recovery');
    const kept = readBackupFile(engine, safety, safety.files.find((f) => f.role === 'context')!);
    expect('bytes' in kept && kept.bytes.equals(damagedBytes)).toBe(true);
    expect(names(await engine.read('work', readGraph))).toEqual(['A', 'B', 'C']);
    expect(fs.readFileSync(outcome.logFile, 'utf8')).toMatch(/\[work\] recovery wizard: repaired after backup /);
    const found = outcome.quarantined.find((q) => q.kind === 'found-in-damaged-lines')!;
    expect(readQuarantined(engine, found.name).text).toContain('"name":"D"');
    const copies = outcome.quarantined.filter((q) => q.kind === 'damaged-bytes');
    expect(copies.length).toBeGreaterThanOrEqual(3);
    expect(copies.every((q) => q.sourceFile === 'charts-work.jsonl' && typeof q.offset === 'number')).toBe(true);
    expect(copies.some((q) => readQuarantined(engine, q.name).text === 'gar\\xff\\xfe\\n')).toBe(true);
    expect(() => readQuarantined(engine, '../charts-work.jsonl')).toThrow(/Not a file of .recovery/);
    await engine.close();
  });

  it('restore from a chosen backup, or leave it: each done as chosen, and logged', async () => {
    const { layout, backupId, file } = await damagedWithoutJournal();
    const engine = await openEngine(layout);
    const before = fs.readFileSync(file);
    const left = await applyRecoveryChoice(engine, 'work', { action: 'leave' });
    expect(left).toMatchObject({ action: 'leave', verified: { ok: false } });
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readFileSync(left.logFile, 'utf8')).toMatch(/left as it is by choice \(3 damaged lines/);
    const restored = await applyRecoveryChoice(engine, 'work', { action: 'restore', backup: backupId });
    expect(restored).toMatchObject({ action: 'restore', verified: { ok: true } });
    expect(restored.safetyBackup).toBeDefined();
    expect(names(await engine.read('work', readGraph))).toEqual(['A', 'B', 'C']);
    await engine.close();
  });

  it('damage the journal still holds is repaired with no choice to make, and says afterwards what was done', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 'note', observations: ['kept by the journal'] }));
    await engine.close();
    const file = contextPaths(layout, 'work').file;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"kept', '"\u0001kept').slice(0, -20));
    const again = await openEngine(layout);
    const analysis = await analyzeContext(again, 'work');
    expect(analysis).toMatchObject({ needsRepair: true, needsChoice: false, preview: { fromJournal: 1, lost: 0 } });
    const outcome = await repairIfNoChoice(again, 'work');
    expect(outcome).toMatchObject({ action: 'repair', matchesPreview: true, verified: { ok: true }, unrecovered: [] });
    expect(outcome!.safetyBackup).toBeUndefined();
    expect(await repairIfNoChoice(again, 'work')).toBeUndefined();
    expect((await again.read('work', readGraph)).entities[0]?.observations).toEqual(['kept by the journal']);
    await again.close();
  });

  it('damaged bytes are shown escaped, and a cut line still gives up its name and whole observations', () => {
    expect(escapeBytes(Buffer.from('ok é \u0007 \t \u2028')).text).toBe('ok é \\u0007 \\t \\u2028');
    expect(escapeBytes(Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80])).text).toBe('\\xc3(\\xed\\xa0\\x80');
    expect(escapeBytes(Buffer.alloc(10, 0x41), 4)).toEqual({ text: 'AAAA', truncated: true });
    expect(salvageLine(Buffer.from('{"type":"relation","from":"a","to":"b","relationType":"r","meta'))).toMatchObject({ kind: 'relation', from: 'a', to: 'b', relationType: 'r' });
    expect(salvageLine(Buffer.from('{"type":"entity","name":"X","observations":["one","t\\u00e9o","thr'))).toMatchObject({ name: 'X', observations: ['one', 'téo'], cutObservation: 'thr' });
    expect(salvageLine(Buffer.from('\u0000\u0001'))).toBeUndefined();
  });
});
