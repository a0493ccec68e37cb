// The health and insights commands of `tension`: the same figures the app's health and insights
// views draw (electron/core/health/, electron/core/insights/), time series as arrays of
// {date, value} with --json, so they can be scripted and checked.
import type { HealthReport } from '../../shared/healthFigures.ts';
import type { ChartInsights, ContextInsights, Point } from '../../shared/insightFigures.ts';
import { formatBytes } from '../core/freeSpace.ts';
import { parseCount, parseNow } from './arguments.ts';
import type { Command } from './commands.ts';

// The health monitor (and the insights it keeps), loaded when one of these commands runs (commandModules.ts).
const healthMonitor = async () => (await import('./commandModules.ts')).healthMonitor;
const capacity = async () => (await import('./commandModules.ts')).capacity;
const backups = async () => (await import('./commandModules.ts')).backups;

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
const total = (points: readonly Point[]) => points.reduce((sum, p) => sum + p.value, 0);
const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

/** A whole number option of at least 1 (0 would make an empty range). */
function positive(text: string | undefined, what: string, fallback: number): number {
  return parseCount(text, what, fallback, 1);
}

function healthText(report: HealthReport): string {
  const lines = [`health of ${report.root}: ${report.health} (as of ${report.asOf})`];
  for (const c of report.contexts) {
    const i = c.integrity;
    const verified = i.lastVerified ? `verified ${i.lastVerified.at} by ${i.lastVerified.by}` : 'not verified yet';
    lines.push(`  ${c.context.padEnd(20)} ${i.health.padEnd(9)} ${plural(i.damagedLines, 'damaged line')}, ${formatBytes(i.quarantinedBytes)} in .recovery/, ${verified}`);
  }
  const b = report.backups;
  lines.push(`backups: ${b.backups}${b.lastBackup ? `, newest ${b.lastBackup.id} (${plural(b.lastBackup.ageDays, 'day')} old)` : ''}${b.lastVerifiedBackup ? `, last verified ${b.lastVerifiedBackup.at}` : ''}${b.damagedBackups.length > 0 ? `, DAMAGED: ${b.damagedBackups.join(', ')}` : ''}`);
  lines.push(`changes ${report.days.from} to ${report.days.to}: ${report.activity.byOrigin.map((o) => `${o.total} by ${o.label}`).join(', ') || 'none'}; ${plural(report.activity.outsideRewrites, 'rewrite')} by other programs`);
  for (const a of report.activity.assistants) lines.push(`  assistant ${a.name}: ${plural(a.changes, 'change')}`);
  for (const o of report.performance.operations.filter((op) => op.count > 0)) lines.push(`  ${o.what.padEnd(8)} ${String(o.count).padStart(6)} operations  p50 ${ms(o.p50Ms)}  p99 ${ms(o.p99Ms)}  ${plural(o.failures, 'failure')}`);
  const cap = report.capacity;
  lines.push(`space: files ${formatBytes(cap.contextFileBytes)}, journals ${formatBytes(cap.journalBytes)}, backups ${formatBytes(cap.backupBytes)}, insights ${formatBytes(cap.rollupBytes)}; growing ${formatBytes(cap.growthPerDay)} a day`);
  lines.push(`free: ${cap.freeBytes === null ? 'unknown' : formatBytes(cap.freeBytes)}${cap.daysUntilFull === null ? '' : `, full in ${plural(cap.daysUntilFull, 'day')} at that rate`}${cap.low ? ' (LOW)' : ''}`);
  for (const r of cap.remedies) lines.push(`  to free space: ${r.description} (tension health free-space)`);
  for (const n of report.notices) lines.push(`${n.severity === 'error' ? 'ERROR' : 'warning'}: ${n.title}. ${n.message} (${n.action.command})`);
  return lines.join('\n');
}

function insightsText(f: ContextInsights): string {
  return [
    `insights of ${f.contexts.join(', ') || 'no contexts'}, weeks ${f.weeks.from} to ${f.weeks.to}`,
    `charts: ${f.charts.live} (${f.charts.open} open, ${f.charts.complete} complete); steps: ${f.steps.open} open, ${f.steps.done} done`,
    `created ${total(f.createdPerWeek)} (${total(f.telescopedPerWeek)} by telescoping), completed ${total(f.completedPerWeek)}, steps completed ${total(f.stepsCompletedPerWeek)}`,
    `median days from a step's creation to its completion: ${f.stepTimeToComplete.medianDays ?? '-'} (${plural(f.stepTimeToComplete.completions, 'step')})`,
    `overdue steps now: ${f.overdueSteps.now}`,
    `stalled (no change for ${f.stalled.days} days): ${f.stalled.count}${f.stalled.charts.length > 0 ? `: ${f.stalled.charts.slice(0, 10).map((c) => `${c.id} (${c.quietDays} days)`).join(', ')}` : ''}`,
    `telescoping: ${f.telescoping.maxDepth} levels deep${f.telescoping.deepest ? ` (${f.telescoping.deepest.id} in ${f.telescoping.deepest.context})` : ''}`,
  ].join('\n');
}

function chartText(c: ChartInsights): string {
  const done = c.progress.done.at(-1)?.value ?? 0;
  const all = c.progress.total.at(-1)?.value ?? 0;
  return [
    `chart ${c.id}: ${c.context === undefined ? 'removed' : `in ${c.context}`}${c.complete ? ', complete' : ''}; created ${c.created ?? 'unknown'}, last changed ${c.lastChange ?? 'unknown'}`,
    `steps done: ${done} of ${all}`,
    `current reality updated ${plural(c.realityUpdated.length, 'time')}; due date moved ${plural(c.dueDateMoves.length, 'time')}`,
    ...c.moves.map((m) => `moved ${m.at}: ${m.from ?? '?'} -> ${m.to ?? '?'}`),
    `sub-charts: ${c.subtree.charts - 1}, ${c.subtree.depth} levels deep; overdue steps now: ${c.subtree.overdueSteps.now}`,
  ].join('\n');
}

export const insightCommands: Record<string, Command> = {
  health: {
    usage: 'health [--context NAME] [--days N] [--now TIME]',
    summary: 'integrity, backups, changes by origin, outside rewrites, timings, space and notices (daily series over N days, default 30)',
    readOnly: true,
    async run({ engine, options }) {
      const now = parseNow(options.now);
      const days = positive(options.days, '--days', 30);
      const { healthMonitorOf } = await healthMonitor();
      const monitor = healthMonitorOf(engine, { clock: () => now });
      const report = await monitor.report({ context: options.context, days, now });
      return { json: report, text: () => healthText(report) };
    },
  },

  'health free-space': {
    usage: 'health free-space [--dry-run]',
    summary: 'remove the backups the retention policy no longer keeps (what `health` suggests when space is short)',
    async run({ engine, options }) {
      const { healthMonitorOf } = await healthMonitor();
      const monitor = healthMonitorOf(engine);
      if (options['dry-run']) {
        const [{ pruneRemedy }, { listBackups }] = await Promise.all([capacity(), backups()]);
        const remedy = pruneRemedy(engine, listBackups(engine), new Date());
        return { json: { dryRun: true, remove: remedy?.backups ?? [], bytes: remedy?.bytes ?? 0 }, text: remedy ? `would ${remedy.description.charAt(0).toLowerCase()}${remedy.description.slice(1)}` : 'nothing to remove: the policy keeps every backup' };
      }
      const result = await monitor.freeSpace();
      return { json: { removed: result.removed, freedBytes: result.freedBytes }, text: result.removed.length === 0 ? 'nothing to remove: the policy keeps every backup' : `removed ${plural(result.removed.length, 'backup')}, ${formatBytes(result.freedBytes)} freed` };
    },
  },

  insights: {
    usage: 'insights [--context NAME] [--chart ID] [--days N] [--now TIME]',
    summary: 'charts created and completed per week, steps completed and how long they took, overdue, stalled (no change for N days, default 30), telescoping; --chart: one chart\'s progress',
    readOnly: true,
    async run({ engine, options }) {
      const now = parseNow(options.now);
      const stalledDays = positive(options.days, '--days', 30);
      const { healthMonitorOf } = await healthMonitor();
      const tracker = healthMonitorOf(engine, { clock: () => now }).insights;
      if (options.chart !== undefined) {
        const page = await tracker.chartInsights(options.chart, { now, stalledDays, context: options.context });
        return { json: page, text: () => chartText(page) };
      }
      const figures = await tracker.contextInsights({ now, stalledDays, context: options.context });
      return { json: figures, text: () => insightsText(figures) };
    },
  },
};
