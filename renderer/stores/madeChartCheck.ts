// What the undo of making a chart (creating it, telescoping a step into it) checks before it
// removes the chart with all it holds then: that nobody else changed the chart since. The
// engine's answer names the version the chart was made at; found again at undo time, nothing
// changed. Another version is someone else's change, unless the window itself wrote to the
// chart since: undo goes last edit first, so those edits were undone already, yet each leaves
// its trace in the records (a time stamp, a dated note). Then the chart must show all it showed
// when the window first wrote to it, and that was the chart as made if its version still was.
import type { Chart } from '../../shared/domain.ts';
import type { UndoCheck } from './undoStore.ts';

/** All a person sees of a chart but its notes (a due date set and undone leaves dated notes there). */
export const chartContent = (c: Chart): string =>
  JSON.stringify([c.desiredOutcome, c.outcomeCompleted, c.dueDate ?? null, c.currentReality, c.steps.map((s) => [s.name, s.title, s.notes, s.dueDate ?? null, s.completed, s.telescopedInto ?? null])]);

const AS_MADE = 'as made';

/** `madeAt`: the chart's version in the answer of the edit that made it. */
export function madeChartCheck(context: string, chartId: string, what: string, madeAt: string | undefined): UndoCheck {
  // The chart's content at the window's first write to it since it was made; null when it was
  // no longer as made then (someone else had changed it).
  let contentAsMade: string | null | undefined;
  const unchanged = (now: Chart) => (madeAt !== undefined && now.versions?.chart === madeAt) || (typeof contentAsMade === 'string' && chartContent(now) === contentAsMade);
  return {
    context,
    chartId,
    what,
    expected: AS_MADE,
    read: (now) => ({ shows: unchanged(now) ? AS_MADE : 'changed', version: now.versions?.chart }),
    beforeOwnWrite(seen) {
      if (contentAsMade === undefined) contentAsMade = madeAt !== undefined && seen.versions?.chart === madeAt ? chartContent(seen) : null;
    },
  };
}
