// The handlers of the health and insights channels (shared/contractInsights.ts), spread into
// the handler table. The engine's health monitor (core/health/healthMonitor.ts) is made on first
// use and watches the engine's timings; once a window asked for insights, the windows are told
// after each write or move (insights.changed: the context, or null for a move) so they ask
// again. Notices a report finds that were not told before are pushed once (health.notice).
import type { Engine } from '../core/engine.ts';
import { healthMonitorOf } from '../core/health/healthMonitor.ts';
import type { HealthReport } from '../../shared/healthFigures.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import type { InsightChannelName } from '../../shared/contractInsights.ts';

export interface InsightHandlerDeps {
  readonly engine: Engine;
  readonly emit?: <E extends EventName>(event: E, payload: Events[E]) => void;
}

type Input = Record<string, unknown>;

export function createInsightHandlers(deps: InsightHandlerDeps): Record<InsightChannelName, (input: Input) => Promise<unknown>> {
  const monitor = healthMonitorOf(deps.engine);
  // Told only once a window asked for insights: until then no view shows them.
  let asked = false;
  monitor.onWrite((context) => {
    if (asked) deps.emit?.('insights.changed', { context: context ?? null });
  });
  const told = (report: HealthReport): HealthReport => {
    for (const notice of monitor.freshNotices(report)) deps.emit?.('health.notice', notice);
    return report;
  };
  const figureOptions = (i: Input) => ({
    ...(i.context === undefined ? {} : { context: i.context as string }),
    ...(i.weeks === undefined ? {} : { weeks: i.weeks as number }),
    ...(i.stalledDays === undefined ? {} : { stalledDays: i.stalledDays as number }),
  });
  const healthOptions = (i: Input) => ({ ...(i.context === undefined ? {} : { context: i.context as string }), ...(i.days === undefined ? {} : { days: i.days as number }) });
  return {
    'health.report': async (i) => told(await monitor.report(healthOptions(i))),
    'health.check': async (i) => {
      await monitor.check('person');
      return told(await monitor.report(healthOptions(i)));
    },
    'health.freeSpace': async () => {
      const result = await monitor.freeSpace();
      return { removed: [...result.removed], freedBytes: result.freedBytes };
    },
    'insights.context': async (i) => {
      asked = true;
      return monitor.insights.contextInsights(figureOptions(i));
    },
    'insights.chart': async (i) => {
      asked = true;
      return monitor.insights.chartInsights(i.id as string, figureOptions(i));
    },
  };
}
