// Data roots the fault tests start from, built once per test file with the real file system,
// and the checks that tell a good end state from a bad one.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../electron/core/engine.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { addRelation, deleteEntity, readGraph, setEntity, type EntityInput } from '../../electron/core/knowledgeGraph.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { openEngine, tempLayout } from '../helpers/tempRoot.ts';
import { graphsOnDisk, viewOf, type GraphView } from './support.ts';

export function chartEntity(id: string, part: string, observations: string[] = []): EntityInput {
  return {
    name: `${id}_${part}`,
    entityType: part === 'chart' ? 'structural_tension_chart' : part.startsWith('action') ? 'action_step' : part,
    observations,
    metadata: { chartId: id, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z' },
  };
}

/** Writes a small chart (chart, desired outcome, current reality, one step, their relations). */
export async function writeChart(engine: Engine, context: string, id: string, note = ''): Promise<void> {
  await engine.transact(context, (state) => {
    const puts = [
      ...setEntity(state, chartEntity(id, 'chart', [`chart ${id}${note}`])).puts,
      ...setEntity(state, chartEntity(id, 'desired_outcome', [`outcome of ${id}`])).puts,
      ...setEntity(state, chartEntity(id, 'current_reality', [`reality of ${id}`])).puts,
      ...setEntity(state, chartEntity(id, 'action_1', [`first step of ${id}`])).puts,
    ];
    return { puts, deletes: [] };
  });
  await engine.transact(context, (state) => ({
    puts: [
      ...addRelation(state, { from: `${id}_chart`, to: `${id}_desired_outcome`, relationType: 'contains' }).puts,
      ...addRelation(state, { from: `${id}_current_reality`, to: `${id}_desired_outcome`, relationType: 'creates_tension_with' }).puts,
      ...addRelation(state, { from: `${id}_action_1`, to: `${id}_desired_outcome`, relationType: 'advances_toward' }).puts,
    ],
    deletes: [],
  }));
}

/** Two contexts, everything flushed and closed: the file matches the journal. */
export async function buildSettledRoot(): Promise<DataLayout> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await writeChart(engine, 'default', 'chart_alpha');
  await writeChart(engine, 'work', 'chart_beta');
  await writeChart(engine, 'work', 'chart_gamma');
  await engine.close();
  // A context a peer made: a file, no journal yet.
  fs.writeFileSync(
    contextPaths(layout, 'peer').file,
    '{"type":"entity","name":"peer_note","entityType":"note","observations":["written by a peer"]}\n# a comment line\n',
  );
  return layout;
}

/** Commits made after the last rewrite: the context files are behind their journals. */
export async function buildUnflushedRoot(): Promise<DataLayout> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await writeChart(engine, 'default', 'chart_alpha');
  await writeChart(engine, 'work', 'chart_beta');
  await engine.flush();
  await writeChart(engine, 'default', 'chart_delta');
  await writeChart(engine, 'work', 'chart_epsilon');
  await engine.transact('work', (state) => deleteEntity(state, 'chart_beta_action_1'));
  // Not closed: closing would rewrite the files. The lock is released after every operation.
  return layout;
}

/** A backup, then changes after it (a restore has something to undo). Returns the backup id too. */
export async function buildRestoreRoot(): Promise<{ layout: DataLayout; backupId: string }> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await writeChart(engine, 'default', 'chart_alpha');
  await writeChart(engine, 'work', 'chart_beta');
  const backup = await createBackup(engine, 'test');
  await writeChart(engine, 'default', 'chart_zeta', ' (after the backup)');
  await engine.transact('default', (state) => deleteEntity(state, 'chart_alpha_action_1'));
  await engine.transact('work', (state) => setEntity(state, { name: 'chart_beta_chart', entityType: 'structural_tension_chart', observations: ['changed after the backup'] }));
  await engine.close();
  return { layout, backupId: backup.id };
}

export const FILE_DAMAGE_MARK = 'file-DAMAGE-mark';
export const JOURNAL_DAMAGE_MARK = 'journal-DAMAGE-mark';

/** A context file with an unreadable line and a journal with an entry whose checksum fails. */
export async function buildDamagedRoot(): Promise<DataLayout> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await writeChart(engine, 'default', 'chart_alpha');
  await engine.transact('default', (state) => setEntity(state, { name: 'journal_victim', entityType: 'note', observations: ['journal-damage-mark'] }));
  await createBackup(engine, 'before the damage');
  await writeChart(engine, 'default', 'chart_eta');
  await engine.close();
  const paths = contextPaths(layout, 'default');
  // The file: the desired outcome's line is cut in the middle (a newline follows it).
  const file = fs.readFileSync(paths.file, 'utf8').split('\n');
  const victim = file.findIndex((line) => line.includes('"chart_eta_desired_outcome"'));
  file[victim] = `{"type":"entity","name":"chart_eta_desired_outcome","observations":["${FILE_DAMAGE_MARK}`;
  fs.writeFileSync(paths.file, file.join('\n'));
  // The journal: one bit of an entry changed, so its checksum fails.
  const journal = fs.readFileSync(paths.journal, 'utf8');
  if (!journal.includes('journal-damage-mark')) throw new Error('test setup: journal marker not found');
  fs.writeFileSync(paths.journal, journal.replace('journal-damage-mark', JOURNAL_DAMAGE_MARK));
  fs.rmSync(paths.checkpoint, { force: true });
  return layout;
}

/** The graph view a context file holds by itself, and its unreadable lines. */
export function fileView(layout: DataLayout, context: string): { view: GraphView; bad: number; exists: boolean } {
  const file = contextPaths(layout, context).file;
  if (!fs.existsSync(file)) return { view: { entities: {}, relations: [] }, bad: 0, exists: false };
  const parsed = parseContextBytes(fs.readFileSync(file));
  const set = new RecordSet();
  for (const record of parsed.records) set.set(record);
  return { view: viewOf(readGraph(set)), bad: parsed.bad.length, exists: true };
}

export function sameGraphs(a: Record<string, GraphView>, b: Record<string, GraphView>): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: Record<string, GraphView>): unknown {
  return Object.keys(value)
    .sort()
    .map((k) => [k, Object.entries(value[k]!.entities).sort(), value[k]!.relations]);
}

/** Names of entities that differ between two views of all contexts (for messages). */
export function graphDiff(expected: Record<string, GraphView>, actual: Record<string, GraphView>): string {
  const out: string[] = [];
  for (const context of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[context]?.entities ?? {};
    const a = actual[context]?.entities ?? {};
    for (const name of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (e[name] === undefined) out.push(`${context}: +${name}`);
      else if (a[name] === undefined) out.push(`${context}: -${name}`);
      else if (e[name] !== a[name]) out.push(`${context}: ~${name}`);
    }
    const er = new Set(expected[context]?.relations ?? []);
    const ar = new Set(actual[context]?.relations ?? []);
    for (const r of er) if (!ar.has(r)) out.push(`${context}: -relation ${r}`);
    for (const r of ar) if (!er.has(r)) out.push(`${context}: +relation ${r}`);
  }
  return out.join(', ') || '(no difference)';
}

/** Each context file holds exactly its context's graph and no unreadable line. */
export async function filesMatchJournal(layout: DataLayout): Promise<string[]> {
  const graphs = await graphsOnDisk(layout);
  const problems: string[] = [];
  for (const [context, view] of Object.entries(graphs)) {
    const file = fileView(layout, context);
    if (!file.exists) {
      if (Object.keys(view.entities).length > 0) problems.push(`${context}: the context file is missing`);
      continue;
    }
    if (file.bad > 0) problems.push(`${context}: the context file has ${file.bad} unreadable lines`);
    if (!sameGraphs({ x: file.view }, { x: view })) problems.push(`${context}: the context file differs from the journal: ${graphDiff({ x: view }, { x: file.view })}`);
  }
  return problems;
}

/** True when `needle` is in the file or in any file under .recovery/ (damaged bytes are never deleted). */
export function bytesKept(layout: DataLayout, file: string, needle: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file).includes(needle)) return true;
  const recovery = path.join(layout.root, '.recovery');
  if (!fs.existsSync(recovery)) return false;
  return fs.readdirSync(recovery).some((name) => fs.readFileSync(path.join(recovery, name)).includes(needle));
}
