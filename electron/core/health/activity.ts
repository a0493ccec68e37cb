// Who changed the charts, day by day: this app, the tension command, AI assistants (MCP) by the
// name their client gave, other programs rewriting the file (each version they wrote that was
// taken into the journal). From the rollups' day totals (insights/rollupSummary.ts).
import type { Activity, OriginActivity } from '../../../shared/healthFigures.ts';
import type { RollupSummary } from '../insights/rollupSummary.ts';
import { dayOfDate } from '../insights/calendarDays.ts';
import { perDayOf, type DayRange } from './dailySeries.ts';

export const ORIGIN_LABELS: Readonly<Record<string, string>> = {
  app: 'this app',
  cli: 'the tension command',
  mcp: 'AI assistants (MCP)',
  external: 'another program rewriting the file',
  import: 'imports',
  recover: 'repairs',
  restore: 'restores from a backup',
  upgrade: 'format upgrades',
};
const ORIGIN_ORDER = Object.keys(ORIGIN_LABELS);

export function activityOf(summaries: readonly RollupSummary[], range: DayRange): Activity {
  const origins = new Set<string>();
  const assistants = new Map<string, number>();
  let lastOutsideRewrite: string | null = null;
  for (const summary of summaries) {
    if (summary.lastRewrite && (lastOutsideRewrite === null || summary.lastRewrite > lastOutsideRewrite)) lastOutsideRewrite = summary.lastRewrite;
    for (const [date, figures] of Object.entries(summary.days)) {
      const day = dayOfDate(date);
      if (day === undefined || day < range.first || day > range.last) continue;
      for (const origin of Object.keys(figures.commits ?? {})) origins.add(origin);
      for (const [name, n] of Object.entries(figures.clients ?? {})) assistants.set(name, (assistants.get(name) ?? 0) + n);
    }
  }
  const order = (o: string) => (ORIGIN_ORDER.includes(o) ? ORIGIN_ORDER.indexOf(o) : ORIGIN_ORDER.length);
  const byOrigin: OriginActivity[] = [...origins]
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1))
    .map((origin) => {
      const perDay = perDayOf(summaries, range, (f) => f.commits?.[origin]);
      return { origin, label: ORIGIN_LABELS[origin] ?? origin, total: perDay.reduce((sum, p) => sum + p.value, 0), perDay };
    });
  const outsideRewritesPerDay = perDayOf(summaries, range, (f) => f.rewrites);
  return {
    byOrigin,
    outsideRewritesPerDay,
    outsideRewrites: outsideRewritesPerDay.reduce((sum, p) => sum + p.value, 0),
    lastOutsideRewrite,
    assistants: [...assistants].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, changes]) => ({ name, changes })),
  };
}
