// Journals built line by line for the insights tests: each commit with the time, origin and
// changes the test chooses, written in the journal's own format (journalFormat.ts), so the
// figures the insights read back can be compared with what was built, day by day.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { encodeCommit, encodeHeader, encodeSnapshot, type Change, type Origin } from '../../electron/core/journalFormat.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';

type Json = Record<string, unknown>;

export const chartEntity = (id: string, meta: Json = {}): Json => ({
  type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [], metadata: { chartId: id, level: 0, ...meta },
});
export const outcomeEntity = (id: string, meta: Json = {}): Json => ({
  type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [`Outcome of ${id}`], metadata: { chartId: id, completionStatus: false, ...meta },
});
export const realityEntity = (id: string, observations: string[] = ['Where it stands']): Json => ({
  type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations, metadata: { chartId: id },
});
export const stepEntity = (id: string, n: number, meta: Json = {}): Json => ({
  type: 'entity', name: `${id}_action_${n}`, entityType: 'action_step', observations: [`Step ${n} of ${id}`], metadata: { chartId: id, completionStatus: false, ...meta },
});

/** A whole chart: its entity, outcome, reality and `steps` open steps (no due dates unless given). */
export function chartRecords(id: string, steps: number, options: { parent?: string; level?: number; due?: string; stepDue?: string } = {}): Json[] {
  const meta: Json = {};
  if (options.parent) Object.assign(meta, { parentChart: options.parent, level: options.level ?? 1 });
  if (options.due) meta.dueDate = options.due;
  const records = [chartEntity(id, meta), outcomeEntity(id), realityEntity(id)];
  for (let n = 1; n <= steps; n += 1) records.push(stepEntity(id, n, options.stepDue ? { dueDate: options.stepDue } : {}));
  return records;
}

export const set = (record: Json): Change => ({ set: record });
export const del = (name: string): Change => ({ del: ['entity', name] });

export class JournalBuilder {
  readonly path: string;
  private seq = 0;
  /** Bytes written on each UTC day (the growth the figures must show). */
  readonly bytesByDay = new Map<string, number>();

  constructor(layout: DataLayout, readonly context: string, created = '2026-01-01T00:00:00.000Z') {
    this.path = contextPaths(layout, context).journal;
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    fs.writeFileSync(this.path, encodeHeader(context, created));
  }

  private append(line: string, ts: string): number {
    const bytes = Buffer.byteLength(line); // a sealed line ends in its newline
    fs.appendFileSync(this.path, line);
    const day = ts.slice(0, 10);
    this.bytesByDay.set(day, (this.bytesByDay.get(day) ?? 0) + bytes);
    return bytes;
  }

  commit(ts: string, origin: Origin, changes: Change[], extra: { intent?: string; note?: string; fileDiffers?: Change[] } = {}): number {
    this.seq += 1;
    return this.append(encodeCommit({ seq: this.seq, ts, tx: randomUUID(), origin, ...extra }, changes.map((change) => ({ change }))), ts);
  }

  snapshot(ts: string, fileSize: number): number {
    this.seq += 1;
    return this.append(encodeSnapshot({ seq: this.seq, ts, fileSize, fileCrc: '00000000' }), ts);
  }
}
