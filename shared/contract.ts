// The one IPC contract between the renderer and the main process: every channel once, with
// the schema its input must pass (checked in main before anything else happens) and the type
// of what it returns; and the events main pushes. Errors come back as values, never thrown.
// Pure TypeScript + zod: used by main (validation), preload (the channel allow-list) and the
// renderer (types). VS Code's and Electron Fiddle's habit: declared once, reached by name.
import { z } from 'zod';
import type { Chart, ChartHistoryEntry, ChartSummary, ChartTree } from './domain.ts';
import { isCalendarDate } from './calendarDate.ts';
import { hasVisibleText } from './visibleText.ts';
import { ANSWER_PART_CHANNEL, CHANNEL_NAME_LIST, EVENT_NAMES, INVOKE_CHANNEL, eventChannel, type EventName, type ListedChannelName } from './channelNames.ts';
import { channel, contextName } from './contractPieces.ts';
import { backupChannels } from './contractBackups.ts';
import { insightChannels } from './contractInsights.ts';
import { contextChannels } from './contractContexts.ts';
import type { HealthNotice } from './healthFigures.ts';
import type { AutomaticRepair, BackupStatusEvent } from './backupTypes.ts';
import type { ChartListColumns } from './summaryColumns.ts';

// ----------------------------------------------------------------- input pieces

export { contextName };
const text = z.string().min(1).max(10_000).refine(hasVisibleText, 'must contain visible text (not only spaces or zero-width characters)');
const name = z.string().min(1).max(1_000);
const date = z.string().max(40).refine(isCalendarDate, 'a real date like 2026-12-31 or 2026-12-31T17:00:00Z');
/** Operation id: a retried request with the same id applies once. */
const op = z.string().min(1).max(200).optional();
/**
 * The version of the part being edited as the person saw it (from charts.tree: `versions`,
 * a step's `version`; or a previous edit's `version`): the edit is refused with CONFLICT, and
 * nothing changed, when the part has changed since.
 */
const ifVersion = z.string().regex(/^[0-9a-f]{8}$/, 'a version: 8 hex digits, as charts.tree gives it').optional();
/** Lines of records as a removal reported them (steps.remove `removed`), to put back exactly. */
const recordLines = z
  .array(z.string().min(2).max(16_000_000))
  .min(1)
  .max(100_000)
  .refine((lines) => lines.reduce((sum, line) => sum + line.length, 0) <= 64_000_000, 'at most 64 MB of lines in all');
const step = z.strictObject({ title: text, dueDate: date.optional() });

// ----------------------------------------------------------------- outputs

export interface ContextInfo {
  readonly context: string;
  readonly records: number;
  readonly entities: number;
  readonly relations: number;
  readonly charts: number;
  readonly bytes: number;
  readonly health: 'ok' | 'damaged' | 'read-only';
  readonly findings: readonly string[];
  /** Other contexts whose names differ from this one only in case (one file on macOS and Windows). */
  readonly sameNameAs?: readonly string[];
}

export interface SearchHit {
  readonly chart: ChartSummary;
  readonly score: number;
  readonly matched: string;
}

export interface SearchResult {
  /** The best matches, best first (a match in the desired outcome first). */
  readonly hits: readonly SearchHit[];
  /** How many charts match in all. */
  readonly total: number;
}

export interface BackupSummary {
  readonly id: string;
  readonly created: string;
  readonly reason: string;
  readonly files: number;
  readonly bytes: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly contexts: readonly { context: string; ok: boolean; findings: readonly { severity: string; kind: string; message: string }[] }[];
  readonly backups: readonly { id: string; ok: boolean; problems: readonly string[] }[];
}

export interface RecoveryReport {
  readonly actions: readonly { context: string; action: string }[];
  readonly unrecovered: readonly string[];
}

export interface Written {
  /** Journal sequence number of the commit (0 when nothing changed). */
  readonly seq: number;
  readonly changed: number;
  readonly duplicate: boolean;
  /**
   * The edited part's version after this change (absent for a retried operation): the step,
   * the outcome, the reality, or the whole chart (a new chart, a new sub-chart, the due date).
   * An undo sends it as `ifVersion`, so it never undoes over someone else's later change.
   */
  readonly version?: string;
}

/**
 * What changed in the chart list since a list the app holds (charts.changes): the app keeps
 * its list and applies this, instead of reading 100k summaries again at every outside change.
 */
export interface ChartListDelta {
  /** Give it back as `since` next time. */
  readonly token: string;
  /** True: `changed` is the whole list (no usable `since`); replace everything held. */
  readonly whole: boolean;
  /** Contexts whose every summary is in `changed` (read anew, or gone): drop what is held of them first. */
  readonly replaced: readonly string[];
  /** Summaries new or changed since `since` (each replaces the one held with its context and id). */
  readonly changed: readonly ChartSummary[];
  /** Charts gone since `since`. */
  readonly removed: readonly { readonly context: string; readonly id: string }[];
}

/**
 * charts.changes as it crosses to the window: the summaries by field (shared/summaryColumns.ts),
 * half the JSON of 100k objects, each with every field name.
 */
export interface ChartListDeltaColumns extends Omit<ChartListDelta, 'changed'> {
  readonly changed: ChartListColumns;
}

/** The first rows of the chart list in the window's sort and filter (charts.firstRows). */
export interface FirstChartRows {
  readonly rows: ChartListColumns;
  /** The desired outcome of each row's parent chart; null for a chart that is not a sub-chart (or whose parent is gone). */
  readonly parents: readonly (string | null)[];
  /** How many rows the list has in all under that filter. */
  readonly total: number;
}

export interface Removed extends Written {
  /** Every record removed, as its exact line: steps.restore puts them back (undo). */
  readonly removed: readonly string[];
}

// ----------------------------------------------------------------- channels

export const channels = {
  'app.info': channel<{ root: string; source: string; readOnly: string | null; version: string }>()(z.strictObject({})),
  'contexts.list': channel<ContextInfo[]>()(z.strictObject({})),
  'contexts.create': channel<Written>()(z.strictObject({ context: contextName })),

  'charts.list': channel<ChartSummary[]>()(z.strictObject({ context: contextName.optional() })),
  /** The chart list as a difference since `since` (a token from the last answer); the whole list without one. */
  'charts.changes': channel<ChartListDeltaColumns>()(z.strictObject({ context: contextName.optional(), since: z.string().max(200_000).optional() })),
  /** The first rows, sorted and filtered as the window shows them, while the whole list is on its way. */
  'charts.firstRows': channel<FirstChartRows>()(
    z.strictObject({ context: contextName.optional(), count: z.number().int().min(1).max(5_000), sort: z.enum(['due', 'updated']), filter: z.enum(['open', 'complete', 'all']) }),
  ),
  'charts.tree': channel<ChartTree>()(z.strictObject({ context: contextName, id: name })),
  'charts.search': channel<SearchResult>()(z.strictObject({ query: z.string().min(1).max(500), context: contextName.optional(), limit: z.number().int().min(1).max(5_000).optional() })),
  /** The newest `limit` (default 1,000) versions, older than journal entry `before`. */
  'charts.history': channel<ChartHistoryEntry[]>()(z.strictObject({ context: contextName, id: name, limit: z.number().int().min(1).max(10_000).optional(), before: z.number().int().min(0).optional() })),
  'charts.asOf': channel<Chart>()(z.strictObject({ context: contextName, id: name, time: date })),
  'charts.create': channel<{ id: string } & Written>()(
    z.strictObject({ context: contextName, outcome: text, reality: z.array(text).min(1).max(200), dueDate: date.optional(), steps: z.array(step).max(500).optional(), op }),
  ),
  'charts.move': channel<{ moved: number }>()(z.strictObject({ from: contextName, id: name, to: contextName, op, ifVersion })),
  'charts.archive': channel<{ moved: number }>()(z.strictObject({ context: contextName, id: name, op, ifVersion })),
  /** Into `to`, or where the chart was archived from (followed along renames and merges since); the answer names it. */
  'charts.unarchive': channel<{ moved: number; to: string }>()(z.strictObject({ id: name, to: contextName.optional(), op, ifVersion })),
  /** Removes a chart and its sub-charts (undoing its creation or telescope); the journal keeps their history. */
  'charts.remove': channel<Removed>()(z.strictObject({ context: contextName, id: name, op, ifVersion })),

  /** ifVersion: the chart's (`versions.chart`); the answer's version is the new step's. */
  'steps.add': channel<{ name: string } & Written>()(z.strictObject({ context: contextName, chartId: name, title: text, dueDate: date.optional(), op, ifVersion })),
  /** A new title, a due date (null: none), or both; an edit naming neither is refused (it would change nothing). */
  'steps.edit': channel<Written>()(
    z
      .strictObject({ context: contextName, name, title: text.optional(), dueDate: date.nullable().optional(), op, ifVersion })
      .refine((edit) => edit.title !== undefined || edit.dueDate !== undefined, { message: 'give a new title or a due date (null to clear it): an edit with neither has nothing to change' }),
  ),
  'steps.move': channel<Written>()(z.strictObject({ context: contextName, name, to: z.number().int().min(1).max(10_000), op, ifVersion })),
  'steps.complete': channel<Written>()(z.strictObject({ context: contextName, name, op, ifVersion })),
  'steps.reopen': channel<Written>()(z.strictObject({ context: contextName, name, op, ifVersion })),
  /** Removes the step and every chart telescoped from it; `removed` is what steps.restore puts back. */
  'steps.remove': channel<Removed>()(z.strictObject({ context: contextName, name, op, ifVersion })),
  /** Puts back what a removal took away, exactly as it was (undo); refused if any of it exists again. */
  'steps.restore': channel<Written>()(z.strictObject({ context: contextName, records: recordLines, op })),
  /** ifVersion: the step's; the answer's version is the new sub-chart's (`versions.chart`). */
  'steps.telescope': channel<{ id: string } & Written>()(z.strictObject({ context: contextName, name, reality: text.optional(), op, ifVersion })),

  'reality.add': channel<Written>()(z.strictObject({ context: contextName, chartId: name, text, op, ifVersion })),
  'reality.edit': channel<Written>()(z.strictObject({ context: contextName, chartId: name, from: text, to: text.optional(), op, ifVersion })),
  'outcome.set': channel<Written>()(z.strictObject({ context: contextName, chartId: name, text, op, ifVersion })),
  'outcome.complete': channel<Written>()(z.strictObject({ context: contextName, chartId: name, op, ifVersion })),
  'outcome.reopen': channel<Written>()(z.strictObject({ context: contextName, chartId: name, op, ifVersion })),
  /** ifVersion: the chart's (`versions.chart`). */
  'due.set': channel<Written>()(z.strictObject({ context: contextName, chartId: name, date: date.nullable(), op, ifVersion })),

  'backups.list': channel<BackupSummary[]>()(z.strictObject({})),
  'backups.create': channel<BackupSummary>()(z.strictObject({ reason: z.string().max(200).optional() })),
  'backups.verify': channel<{ id: string; ok: boolean; problems: string[] }>()(z.strictObject({ id: z.string().min(1).max(100).regex(/^[0-9A-Za-z.-]+$/) })),
  'backups.restore': channel<{ safetyBackup: string; contexts: { context: string; changed: number }[] }>()(
    z.strictObject({ id: z.string().min(1).max(100).regex(/^[0-9A-Za-z.-]+$/), contexts: z.array(contextName).max(1000).optional() }),
  ),
  'health.verify': channel<VerifyReport>()(z.strictObject({})),
  'recovery.run': channel<RecoveryReport>()(z.strictObject({ contexts: z.array(contextName).max(1000).optional() })),
  ...backupChannels,
  ...insightChannels,
  ...contextChannels,
} as const;

export type ChannelName = keyof typeof channels;
export type ChannelInput<C extends ChannelName> = z.input<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends ChannelName> = (typeof channels)[C]['output'];
// The zod-free list (channelNames.ts) must name exactly the channels of the table above.
const listedExactly: [Exclude<ChannelName, ListedChannelName>, Exclude<ListedChannelName, ChannelName>] extends [never, never] ? true : never = true;
void listedExactly;
export const CHANNEL_NAMES: readonly ChannelName[] = CHANNEL_NAME_LIST;

// ----------------------------------------------------------------- errors as values

export type IpcErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'BUSY'
  | 'READ_ONLY'
  | 'DISK_FULL'
  | 'PERMISSION_DENIED'
  | 'IO_ERROR'
  | 'CORRUPT'
  | 'CONFLICT'
  | 'FORBIDDEN' // the sender is not one of the app's own windows
  | 'UNKNOWN_CHANNEL'
  | 'INTERNAL';

export interface IpcError {
  readonly code: IpcErrorCode;
  readonly message: string;
  readonly file?: string;
  /** What was kept: "Nothing was changed.", "Every change is kept in the journal." … */
  readonly kept?: string;
  /** For BAD_INPUT: which fields were wrong. */
  readonly issues?: readonly { path: string; message: string }[];
}

export type IpcResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

// ----------------------------------------------------------------- events main pushes

export interface ProgressEvent {
  readonly task: string;
  readonly done: number;
  readonly total: number;
  readonly message?: string;
}

export interface Events {
  /** Another process (an MCP server, the CLI) or this app changed a context. */
  'data.changed': { readonly context: string; readonly seq: number; readonly external: readonly string[] };
  /**
   * How far the engine has read a large context file it is loading (a first open of 100k charts
   * parses for seconds), or its journal (a full replay, after a crash): bytes `done` of `total`,
   * `task` naming the file; done = total at the end.
   */
  'data.loading': ProgressEvent & { readonly context: string };
  /** A context's health changed (damage found, repaired, read-only). */
  'health.changed': { readonly context: string; readonly health: ContextInfo['health']; readonly findings: readonly string[] };
  'backup.progress': ProgressEvent;
  'recovery.progress': ProgressEvent;
  /** A scheduled backup was taken, or failed (a full disk is a warning the person sees). */
  'backup.status': BackupStatusEvent;
  /** Damage with no choice to make was repaired on its own: shown afterwards. */
  'recovery.repaired': AutomaticRepair;
  /** A context's figures may have moved (a write; null: a move, which spans two): a view showing them asks again. */
  'insights.changed': { readonly context: string | null };
  /** A health problem not told before (damage, a failed backup, low space, read-only), once. */
  'health.notice': HealthNotice;
}

const eventsListedExactly: [Exclude<keyof Events, EventName>, Exclude<EventName, keyof Events>] extends [never, never] ? true : never = true;
void eventsListedExactly;
export { ANSWER_PART_CHANNEL, EVENT_NAMES, INVOKE_CHANNEL, eventChannel, type EventName };


/** What preload exposes on window.tension: nothing but these two. */
export interface TensionBridge {
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<IpcResult<ChannelOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
