// Part: health and insights on a year of history. A journal is generated line by line (charts
// created through the year, ~1 in 10 telescoped, 3 steps each, most completed days or weeks
// later, some due dates, daily rewrites by another program, assistants' edits), the context
// file written from it by the engine, and then, each with a fresh engine and tracker:
//   0. the floor: read the journal and JSON.parse every line, nothing else;
//   1. cold: no rollup yet, the whole journal is read into one (and kept beside it);
//   2. the view opening: the rollup on disk, the journal unchanged (what the app does at start);
//   3. incremental: a day of changes appended, then the figures again (a fresh start, and the
//      running app whose tracker holds the rollup);
//   4. a chart's page (the rollup's rows read too);
//   5. the health report, with the engine already open (as in the running app) and cold.
// Wall times are informational except the target: the insights view at 100k charts
// and a year of history opens in under a second (2 and 3).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout, contextPaths } from '../../electron/core/dataRoot.ts';
import { encodeCommit, encodeHeader, type Change, type Origin } from '../../electron/core/journalFormat.ts';
import { InsightTracker } from '../../electron/core/insights/insightTracker.ts';
import { HealthMonitor } from '../../electron/core/health/healthMonitor.ts';
import { chartRecords, realityEntity, stepEntity } from '../helpers/builtJournal.ts';
import { prng } from './chartGenerator.ts';
import { mb, ms, ratio, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';

export interface InsightsBenchConfig {
  readonly workDir: string;
  readonly charts: number;
  readonly days: number;
}

const DAY = 86_400_000;
const OPEN_TARGET_MS = 1_000;

interface Happening {
  readonly at: number;
  readonly origin: Origin;
  readonly changes: Change[];
  readonly note?: string;
  readonly external?: boolean;
}

/** A year of a person's charts, as the happenings of the journal, oldest first. */
function history(charts: number, days: number, now: number): Happening[] {
  const random = prng(20_261_129);
  const start = now - days * DAY;
  const out: Happening[] = [];
  for (let i = 0; i < charts; i += 1) {
    const id = `chart_${i}`;
    const created = start + Math.floor((i / charts) * (days - 1) * DAY) + Math.floor(random() * DAY * 0.9);
    const parent = i > 10 && random() < 0.1 ? `chart_${Math.floor(random() * i)}` : undefined;
    const due = random() < 0.3 ? new Date(created + (5 + Math.floor(random() * 35)) * DAY).toISOString().slice(0, 10) : undefined;
    const origin: Origin = random() < 0.7 ? 'app' : random() < 0.6 ? 'cli' : 'mcp';
    out.push({ at: created, origin, changes: chartRecords(id, 3, { ...(parent ? { parent } : {}), ...(due ? { stepDue: due } : {}) }).map((set) => ({ set })), ...(origin === 'mcp' ? { note: 'MCP client claude-code 2.1.0' } : {}) });
    for (let n = 1; n <= 3; n += 1) {
      if (random() > 0.7) continue;
      const done = created + Math.floor((1 + random() * 60) * DAY);
      if (done < now - DAY) out.push({ at: done, origin: 'app', changes: [{ set: stepEntity(id, n, { completionStatus: true, ...(due ? { dueDate: due } : {}) }) }] });
    }
    if (random() < 0.2) {
      const at = created + Math.floor(random() * 30 * DAY);
      if (at < now - DAY) out.push({ at, origin: 'external', external: true, changes: [{ set: realityEntity(id, ['Where it stands', 'rewritten by another program']) }] });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function writeJournal(file: string, context: string, happenings: readonly Happening[], seq0 = 0, header = true): { bytes: number; lines: number } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, header ? 'w' : 'a');
  let bytes = 0;
  let seq = seq0;
  let buffer: string[] = [];
  let buffered = 0;
  const flush = () => {
    const chunk = buffer.join('');
    fs.writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
    buffer = [];
    buffered = 0;
  };
  try {
    if (header) buffer.push(encodeHeader(context, new Date((happenings[0]?.at ?? Date.now()) - 1000).toISOString()));
    for (const h of happenings) {
      seq += 1;
      const line = encodeCommit({ seq, ts: new Date(h.at).toISOString(), tx: randomUUID(), origin: h.origin, ...(h.note ? { note: h.note } : {}), ...(h.external ? { fileDiffers: [] } : {}) }, h.changes.map((change) => ({ change })));
      buffer.push(line);
      buffered += line.length;
      if (buffered > 4 * 1024 * 1024) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, lines: seq - seq0 };
}

/** The seq of a journal's last line (read from its last 64 KiB: a snapshot or a day's commit is short). */
function lastSeq(file: string): number {
  const size = fs.statSync(file).size;
  const tail = Buffer.alloc(Math.min(size, 64 * 1024));
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    fs.closeSync(fd);
  }
  const text = tail.toString('utf8').trimEnd();
  return (JSON.parse(text.slice(text.lastIndexOf('\n') + 1)) as { seq: number }).seq;
}

const timed = async <T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> => {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
};

function floorOf(file: string): number {
  const started = performance.now();
  const text = fs.readFileSync(file, 'utf8');
  let n = 0;
  for (let at = 0, next = text.indexOf('\n'); next !== -1; at = next + 1, next = text.indexOf('\n', at)) {
    JSON.parse(text.slice(at, next));
    n += 1;
  }
  void n;
  return performance.now() - started;
}

export async function insightsBench(config: InsightsBenchConfig): Promise<SectionResult> {
  const data = path.join(config.workDir, `insights-${config.charts}`, '.coaia');
  const layout = resolveLayout({ data });
  const now = Date.now();
  const happenings = history(config.charts, config.days, now);
  const journal = contextPaths(layout, 'work').journal;
  const generating = await timed(() => writeJournal(journal, 'work', happenings));
  // The context file, as the engine writes it from the journal (once: what the app finds on disk).
  const setup = await timed(async () => {
    const engine = await Engine.open({ layout, rewriteDelayMs: -1, lockLeaseMs: 0 });
    await engine.read('work', () => undefined);
    await engine.close();
  });
  // The days of changes below go on from the journal's last line, which the engine's rewrite
  // added (its snapshot line): numbered from the generated commits instead, the first of them
  // repeated a seq, no open could take the journal's tail after its checkpoint, and every fresh
  // open replayed the whole year (the health report's 14-19 s with its open).
  const seq = lastSeq(journal);
  // A fresh process's engine and tracker: `ask` timed from the engine's open to its answer; what
  // the tracker writes after an answer (the rollup: InsightTracker.saveSoon) is let finish
  // before the close, as the app's close and a CLI process's exit do, outside the figure.
  const fresh = async <T>(ask: (tracker: InsightTracker, engine: Engine) => Promise<T>): Promise<{ ms: number; value: T }> => {
    const started = performance.now();
    const engine = await Engine.open({ layout, rewriteDelayMs: -1, lockLeaseMs: 0, readOnly: true });
    const tracker = new InsightTracker(engine);
    try {
      const value = await ask(tracker, engine);
      return { ms: performance.now() - started, value };
    } finally {
      await tracker.settled();
      await engine.close();
    }
  };
  const floor = floorOf(journal);
  const cold = await fresh((tracker) => tracker.contextInsights({ context: 'work' }));
  const open = await fresh((tracker) => tracker.contextInsights({ context: 'work' }));
  // A day of changes: 1% more charts and as many steps completed, now.
  const day: Happening[] = [];
  for (let i = 0; i < Math.max(10, config.charts / 100); i += 1) {
    day.push({ at: now - 60_000, origin: 'app', changes: chartRecords(`chart_new_${i}`, 3).map((set) => ({ set })) });
    day.push({ at: now - 30_000, origin: 'app', changes: [{ set: stepEntity(`chart_${i * 7}`, 3, { completionStatus: true }) }] });
  }
  writeJournal(journal, 'work', day, seq, false);
  const incremental = await fresh((tracker) => tracker.contextInsights({ context: 'work' }));
  // The running app: its tracker holds the rollup in memory; another day of changes comes in.
  const live = (
    await fresh(async (tracker) => {
      await tracker.contextInsights({ context: 'work' });
      writeJournal(journal, 'work', day.map((h) => ({ ...h, at: h.at + 10_000 })), seq + day.length, false);
      return timed(() => tracker.contextInsights({ context: 'work' }));
    })
  ).value;
  const page = await fresh((tracker) => tracker.chartInsights('chart_7'));
  // Health with the engine open already (the app has its contexts open), then with a cold engine.
  const health = (
    await fresh(async (_tracker, engine) => {
      const monitor = new HealthMonitor(engine);
      const first = await timed(() => monitor.report());
      const again = await timed(() => monitor.report());
      return { first, again };
    })
  ).value;
  const rollupBytes = ['insights.json', 'insights.bin'].reduce((sum, ext) => sum + fs.statSync(journal.replace(/journal\.jsonl$/, ext)).size, 0);
  const figures = open.value;
  const rows: string[][] = [
    ['generate the journal (setup)', ms(generating.ms), `${generating.value.lines} commits, ${mb(generating.value.bytes)}`],
    ['engine writes the context file from it (setup)', ms(setup.ms), mb(fs.statSync(contextPaths(layout, 'work').file).size)],
    ['floor: read the journal + JSON.parse each line', ms(floor), ''],
    ['insights cold (whole journal into a rollup)', ms(cold.ms), `${ratio(cold.ms / floor)} the floor; rollup ${mb(rollupBytes)}`],
    ['insights view opens (rollup on disk)', ms(open.ms), `${figures.charts.live} charts, ${figures.createdPerWeek.length} weeks`],
    [`insights after a day of changes (${day.length} commits), fresh start`, ms(incremental.ms), 'rollup read from disk, then the day'],
    [`the same in the running app (rollup held in memory)`, ms(live.ms), 'only the day'],
    ['a chart\'s page (rollup rows read)', ms(page.ms), `${page.value.progress.done.length} progress points`],
    ['health report, engine opening the context', ms(health.first.ms), 'includes the open'],
    ['health report again (engine open, as in the app)', ms(health.again.ms), ''],
  ];
  const checks: Check[] = [
    { what: `insights view opens, ${config.charts} charts, ${config.days} days`, measured: ms(open.ms), against: `cold ${ms(cold.ms)}`, target: `< ${OPEN_TARGET_MS} ms`, pass: config.charts >= 100_000 ? open.ms < OPEN_TARGET_MS : undefined },
    { what: `insights after a day of changes (fresh start), ${config.charts} charts`, measured: ms(incremental.ms), against: `cold ${ms(cold.ms)}`, target: `< ${OPEN_TARGET_MS} ms`, pass: config.charts >= 100_000 ? incremental.ms < OPEN_TARGET_MS : undefined },
    { what: `insights after a day of changes (app running), ${config.charts} charts`, measured: ms(live.ms), against: `fresh ${ms(incremental.ms)}`, target: 'info', pass: undefined },
    { what: `insights cold, ${config.charts} charts`, measured: ms(cold.ms), against: `floor ${ms(floor)}`, target: 'info', pass: undefined },
    { what: `health report (engine open), ${config.charts} charts`, measured: ms(health.again.ms), against: `with open ${ms(health.first.ms)}`, target: 'info', pass: undefined },
  ];
  return {
    title: `Health and insights: ${config.charts} charts, ${config.days} days of history`,
    detail: table(['step', 'time', 'note'], rows),
    notes: [
      'Each step runs on a fresh engine and tracker in this process (a restart of the app, without a new V8), timed from the engine\'s open to the answer; the rollup the tracker writes just after an answer (InsightTracker.saveSoon) is let finish before the next step, outside the figure.',
      'Below 100k charts the open times are informational (the target is the issue\'s 100k charts and a year).',
    ],
    checks,
  };
}
