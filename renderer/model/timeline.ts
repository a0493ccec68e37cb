// A chart's history as a timeline: the journal's entries grouped by transaction, each with
// who made it (this app or an outside tool), when, and what changed, in plain words.
import type { ChartHistoryEntry, ChartOrigin } from '../../shared/domain.ts';

export interface TimelineItem {
  readonly tx: string;
  readonly seq: number;
  readonly ts: string;
  readonly origin: ChartOrigin;
  readonly who: string;
  readonly what: readonly string[];
}

const WHO: Record<ChartOrigin, string> = {
  app: 'this app',
  cli: 'the tension command line',
  mcp: 'an AI assistant (tension mcp)',
  external: 'an outside tool (file rewritten)',
  import: 'an import',
  recover: 'a repair',
  restore: 'a backup restore',
  upgrade: 'a format upgrade',
};

export function describePart(entry: Pick<ChartHistoryEntry, 'part' | 'action' | 'value'>): string {
  const verb = entry.action === 'delete' ? 'removed' : 'set';
  const part = entry.part;
  if (part.includes(' -[')) return `link ${part.replace(/^.*-\[(.*)\]->.*$/, '$1')} ${entry.action === 'delete' ? 'removed' : 'added'}`;
  const step = /_action_?(\d+)$/.exec(part);
  if (step) return `step ${step[1]} ${verb}`;
  if (part.endsWith('_desired_outcome')) return `desired outcome ${verb}`;
  if (part.endsWith('_current_reality')) return `current reality ${verb}`;
  if (part.endsWith('_chart')) return `chart ${verb}`;
  return `${part} ${verb}`;
}

export function timelineOf(entries: readonly ChartHistoryEntry[]): TimelineItem[] {
  const byTx = new Map<string, { tx: string; seq: number; ts: string; origin: ChartOrigin; what: string[] }>();
  for (const entry of entries) {
    const item = byTx.get(entry.tx) ?? { tx: entry.tx, seq: entry.seq, ts: entry.ts, origin: entry.origin, what: [] };
    byTx.set(entry.tx, item);
    const line = describePart(entry);
    if (!item.what.includes(line)) item.what.push(line);
  }
  return [...byTx.values()].sort((a, b) => b.seq - a.seq).map((item) => ({ ...item, who: WHO[item.origin] ?? item.origin }));
}
