// Context files written as another program would leave them, for tests that start from one:
// the records of a small chart, a context file holding given records, a data folder holding given lines.
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './tempRoot.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';

export interface RecordLine {
  readonly type: string;
  readonly name?: string;
  readonly entityType?: string;
  readonly observations?: string[];
  readonly from?: string;
  readonly to?: string;
  readonly relationType?: string;
  readonly metadata?: Record<string, unknown>;
}

/** A chart's entity, desired outcome and current reality, and the relation from the chart to its outcome. */
export const smallChartRecords = (id: string, context: string, outcome: string): RecordLine[] => [
  { type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: ['Q4'], metadata: { chartId: id, level: 0, context } },
  { type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome], metadata: { chartId: id } },
  { type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations: ['r'], metadata: { chartId: id } },
  { type: 'relation', from: `${id}_chart`, to: `${id}_desired_outcome`, relationType: 'contains' },
];

/** Writes the context's file with these records, one JSON line each. */
export function writeContextFile(layout: DataLayout, context: string, records: object[]): void {
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(contextPaths(layout, context).file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

/**
 * A fresh data folder whose context file holds these lines as another program wrote them (each
 * with its newline); `fileName` names the context's file (charts.jsonl: context default).
 */
export function peerDataFolder(lines: readonly string[], fileName = 'charts.jsonl'): { data: string; file: string } {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const file = path.join(data, fileName);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { data, file };
}
