// The context's insights from a day on which 200k charts were completed (a bulk import of finished
// charts, or a peer completing every chart at once): the durations of that day are gathered
// without a spread of 200k arguments (push(...list) overflowed the stack past about 120k).
import { describe, expect, it } from 'vitest';
import { contextInsights } from '../../electron/core/insights/contextFigures.ts';
import type { RollupSummary } from '../../electron/core/insights/rollupSummary.ts';

describe('insights of a day with 200k completions', () => {
  it('are made, with the median time to complete', () => {
    // Minutes from a chart's creation to its completion: one day, or three.
    const durations = Array.from({ length: 200_000 }, (_, i) => (i % 2 === 0 ? 1_440 : 4_320));
    const summary: RollupSummary = {
      format: 1,
      context: 'bulk',
      generation: 'g',
      builtAt: '2026-11-30T12:00:00.000Z',
      journal: { ino: '1', offset: 0, seq: 0 } as unknown as RollupSummary['journal'],
      days: { '2026-11-30': { completed: 200_000, created: 200_000, durations } as RollupSummary['days'][string] },
      charts: { live: 200_000, open: 0, complete: 200_000 },
      steps: { open: 0, done: 0 },
      openByLastChange: [],
      longestQuiet: [],
      depth: [200_000],
      unresolvedEdits: 0,
      damagedLines: 0,
    };
    const figures = contextInsights([summary], { now: new Date('2026-11-30T18:00:00.000Z'), weeks: 4 } as Parameters<typeof contextInsights>[1]);
    const median = /"medianDays":([0-9.]+)/.exec(JSON.stringify(figures));
    expect(Number(median?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(median?.[1])).toBeLessThanOrEqual(3);
  });
});
