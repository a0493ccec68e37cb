// The health and insights channels of the IPC contract (the health view, the insights view and a
// chart's progress page use them), spread into `channels` in contract.ts. The figures are the
// ones `tension health --json` and `tension insights --json` print (shared/healthFigures.ts,
// shared/insightFigures.ts).
import { z } from 'zod';
import { channel, contextName } from './contractPieces.ts';
import type { HealthReport } from './healthFigures.ts';
import type { ChartInsights, ContextInsights } from './insightFigures.ts';

/** Days the health view's daily series cover (up to today). */
const days = z.number().int().min(1).max(366);
/** Weeks the weekly series cover (up to this week). */
const weeks = z.number().int().min(1).max(520);
/** A chart with no change for this many days is stalled. */
const stalledDays = z.number().int().min(1).max(3_650);
const chartId = z.string().min(1).max(1_000);

export const insightChannels = {
  /** The health of the data folder, or of one context (integrity, backups, activity, timings, space, notices). */
  'health.report': channel<HealthReport>()(z.strictObject({ context: contextName.optional(), days: days.optional() })),
  /** Reads every context through now (a person's check), then reports. */
  'health.check': channel<HealthReport>()(z.strictObject({ days: days.optional() })),
  /** Removes the backups the retention policy no longer keeps (the remedy the report names when space is short). */
  'health.freeSpace': channel<{ removed: string[]; freedBytes: number }>()(z.strictObject({})),
  /** The insights of one context, or of all contexts added up. */
  'insights.context': channel<ContextInsights>()(z.strictObject({ context: contextName.optional(), weeks: weeks.optional(), stalledDays: stalledDays.optional() })),
  /** A chart's own page: its progress over time, from every context its history is in. */
  'insights.chart': channel<ChartInsights>()(z.strictObject({ id: chartId, context: contextName.optional(), weeks: weeks.optional(), stalledDays: stalledDays.optional() })),
} as const;

export type InsightChannelName = keyof typeof insightChannels;
