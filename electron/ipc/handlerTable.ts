// The handler table: contract channel -> service call. Transport-agnostic (Electron's ipcMain
// in the app, a plain function call in tests and in the browser bridge). Every request is
// checked in this order: the sender is one of our own windows, the channel exists, the input
// passes the channel's schema; only then does it reach the engine. Every outcome is a value.
import type { Engine } from '../core/engine.ts';
import { EngineError, printable } from '../core/errors.ts';
import { ChartService } from '../core/charts/chartService.ts';
import { chartCount } from '../core/charts/chartSummaries.ts';
import { createBackup, listBackups } from '../core/backups.ts';
import { verifyBackup } from '../core/backupChecking.ts';
import { restoreBackup } from '../core/backupRestoring.ts';
import { verifyAll } from '../core/verify.ts';
import { contextsDifferingInCase } from '../core/dataRoot.ts';
import { recoverAll } from '../core/recover.ts';
import { channels, type ChannelName, type ContextInfo, type EventName, type Events, type IpcError, type IpcResult, type Removed, type Written } from '../../shared/contract.ts';
import type { CommitResult } from '../core/contextStore.ts';
import { createBackupHandlers } from './backupHandlers.ts';
import { createInsightHandlers } from './insightHandlers.ts';
import { createContextHandlers } from './contextHandlers.ts';
import { createContext } from '../core/contexts/contextCreate.ts';
import type { ContextChannelName } from '../../shared/contractContexts.ts';
import type { BackupChannelName } from '../../shared/contractBackups.ts';
import type { BackgroundWork } from '../app/backgroundWork.ts';
import { FOREIGN_SENDER_REFUSAL } from './foreignSender.ts';
import { toChartListColumns } from '../../shared/summaryColumns.ts';
import type { ChartFilter, ChartSort } from '../../shared/chartOrder.ts';
import { firstChartRows } from '../core/charts/firstChartRows.ts';
import { requestFingerprint, runAsOperation } from '../core/operationIntent.ts';

/** Who sent a request: Electron's webContents id and the URL of the frame that sent it. */
export interface SenderInfo {
  readonly id: number;
  readonly url: string;
}

export interface HandlerDeps {
  readonly engine: Engine;
  readonly charts?: ChartService;
  /** True only for the app's own windows (checked before anything else). */
  readonly isOwnSender: (sender: SenderInfo) => boolean;
  readonly version?: string;
  /** Pushes an event to the app's windows (progress of backups and recovery). */
  readonly emit?: <E extends EventName>(event: E, payload: Events[E]) => void;
  /** The backup timer and the scheduled check, where they run (the app): the backups panel shows their state. */
  readonly background?: BackgroundWork;
}

type Input = Record<string, unknown>;
type Handler = (input: Input) => Promise<unknown>;

const written = (r: CommitResult & { version?: string }): Written => ({ seq: r.seq, changed: r.changed, duplicate: r.duplicate, ...(r.version === undefined ? {} : { version: r.version }) });
const removed = (r: CommitResult & { version?: string; removed: string[] }): Removed => ({ ...written(r), removed: r.removed });
const s = (v: unknown) => v as string;
const opt = (v: unknown) => v as string | undefined;

export interface HandlerTable {
  readonly channels: readonly ChannelName[];
  handle(channel: string, input: unknown, sender: SenderInfo): Promise<IpcResult<unknown>>;
}

export function createHandlerTable(deps: HandlerDeps): HandlerTable {
  const { engine } = deps;
  const charts = deps.charts ?? new ChartService(engine);

  /** Runs a long task, telling the windows when it starts and ends (they show a progress bar). */
  async function withProgress<T>(event: 'backup.progress' | 'recovery.progress', task: string, work: () => Promise<T>): Promise<T> {
    deps.emit?.(event, { task, done: 0, total: 1 });
    try {
      return await work();
    } finally {
      deps.emit?.(event, { task, done: 1, total: 1 });
    }
  }

  const handlers: Record<ChannelName, Handler> = {
    'app.info': async () => ({ root: engine.layout.root, source: engine.layout.source, readOnly: engine.readOnlyReason ?? null, version: deps.version ?? '0.0.0' }),
    'contexts.list': async () => {
      const list = await engine.listContexts(chartCount);
      // Names that differ only in case are one file on macOS and Windows: shown, never merged.
      const twins = contextsDifferingInCase(list.map((c) => c.context));
      const result: ContextInfo[] = [];
      for (const summary of list) {
        const sameNameAs = twins.get(summary.context);
        result.push({
          context: summary.context, records: summary.records, entities: summary.entities, relations: summary.relations, charts: summary.also, bytes: summary.bytes, health: summary.health,
          findings: summary.findings.map((f) => f.message),
          ...(sameNameAs ? { sameNameAs } : {}),
        });
      }
      return result;
    },
    'contexts.create': async (i) => written(await createContext(engine, s(i.context))),
    'charts.list': async (i) => charts.list(opt(i.context)),
    'charts.changes': async (i) => {
      const delta = await charts.listChanges(opt(i.context), opt(i.since));
      return { ...delta, changed: toChartListColumns(delta.changed) };
    },
    'charts.firstRows': async (i) => firstChartRows(engine, opt(i.context), { count: i.count as number, sort: i.sort as ChartSort, filter: i.filter as ChartFilter }),
    'charts.tree': async (i) => charts.tree(s(i.context), s(i.id)),
    'charts.search': async (i) => charts.searchCounted(s(i.query), { ...(i.context === undefined ? {} : { context: s(i.context) }), ...(i.limit === undefined ? {} : { limit: i.limit as number }) }),
    'charts.history': async (i) => charts.history(s(i.context), s(i.id), { limit: (i.limit as number | undefined) ?? 1_000, ...(i.before === undefined ? {} : { before: i.before as number }) }),
    'charts.asOf': async (i) => charts.asOf(s(i.context), s(i.id), s(i.time)),
    'charts.create': async (i) => {
      const { id, result } = await charts.create(
        s(i.context),
        { outcome: s(i.outcome), reality: i.reality as string[], ...(i.dueDate === undefined ? {} : { dueDate: s(i.dueDate) }), steps: (i.steps as { title: string; dueDate?: string }[] | undefined) ?? [] },
        opt(i.op),
      );
      return { id, ...written(result) };
    },
    'charts.move': async (i) => charts.move(s(i.from), s(i.id), s(i.to), { ...(i.op === undefined ? {} : { op: s(i.op) }), ...(i.ifVersion === undefined ? {} : { ifVersion: s(i.ifVersion) }) }),
    'charts.archive': async (i) => charts.archive(s(i.context), s(i.id), opt(i.op), opt(i.ifVersion)),
    'charts.unarchive': async (i) => charts.unarchive(s(i.id), opt(i.to), opt(i.op), opt(i.ifVersion)),
    'charts.remove': async (i) => removed(await charts.removeChart(s(i.context), s(i.id), opt(i.op), opt(i.ifVersion))),
    'steps.add': async (i) => {
      const { name, result } = await charts.addStep(s(i.context), s(i.chartId), { title: s(i.title), ...(i.dueDate === undefined ? {} : { dueDate: s(i.dueDate) }) }, opt(i.op), opt(i.ifVersion));
      return { name, ...written(result) };
    },
    'steps.edit': async (i) =>
      written(await charts.editStep(s(i.context), s(i.name), { ...(i.title === undefined ? {} : { title: s(i.title) }), ...(i.dueDate === undefined ? {} : { dueDate: i.dueDate as string | null }) }, opt(i.op), opt(i.ifVersion))),
    'steps.move': async (i) => written(await charts.moveStep(s(i.context), s(i.name), i.to as number, opt(i.op), opt(i.ifVersion))),
    'steps.complete': async (i) => written(await charts.completeStep(s(i.context), s(i.name), opt(i.op), opt(i.ifVersion))),
    'steps.reopen': async (i) => written(await charts.reopenStep(s(i.context), s(i.name), opt(i.op), opt(i.ifVersion))),
    'steps.remove': async (i) => removed(await charts.removeStep(s(i.context), s(i.name), opt(i.op), opt(i.ifVersion))),
    'steps.restore': async (i) => written(await charts.restoreRecords(s(i.context), i.records as string[], opt(i.op))),
    'steps.telescope': async (i) => {
      const { id, result } = await charts.telescope(s(i.context), s(i.name), i.reality === undefined ? {} : { reality: s(i.reality) }, opt(i.op), opt(i.ifVersion));
      return { id, ...written(result) };
    },
    'reality.add': async (i) => written(await charts.addReality(s(i.context), s(i.chartId), s(i.text), opt(i.op), opt(i.ifVersion))),
    'reality.edit': async (i) => written(await charts.editReality(s(i.context), s(i.chartId), s(i.from), opt(i.to), opt(i.op), opt(i.ifVersion))),
    'outcome.set': async (i) => written(await charts.setOutcome(s(i.context), s(i.chartId), s(i.text), opt(i.op), opt(i.ifVersion))),
    'outcome.complete': async (i) => written(await charts.completeOutcome(s(i.context), s(i.chartId), opt(i.op), opt(i.ifVersion))),
    'outcome.reopen': async (i) => written(await charts.reopenOutcome(s(i.context), s(i.chartId), opt(i.op), opt(i.ifVersion))),
    'due.set': async (i) => written(await charts.setDue(s(i.context), s(i.chartId), i.date as string | null, opt(i.op), opt(i.ifVersion))),
    'backups.list': async () => listBackups(engine).map((b) => ({ id: b.id, created: b.created, reason: b.reason, files: b.files.length, bytes: b.bytes })),
    'backups.create': async (i) => {
      const b = await withProgress('backup.progress', 'Creating a backup', () => createBackup(engine, opt(i.reason) ?? 'from the app'));
      return { id: b.id, created: b.created, reason: b.reason, files: b.files.length, bytes: b.bytes };
    },
    'backups.verify': async (i) => verifyBackup(engine, s(i.id)),
    'backups.restore': async (i) => {
      const result = await withProgress('backup.progress', `Restoring backup ${s(i.id)}`, () => restoreBackup(engine, s(i.id), i.contexts as string[] | undefined));
      return { safetyBackup: result.safetyBackup, contexts: result.contexts };
    },
    'health.verify': async () => {
      const report = await verifyAll(engine);
      return {
        ok: report.ok,
        contexts: report.contexts.map((c) => ({ context: c.context, ok: c.ok, findings: c.findings.map((f) => ({ severity: f.severity, kind: f.kind, message: f.message })) })),
        backups: report.backups.map((b) => ({ id: b.id, ok: b.ok, problems: [...b.problems] })),
      };
    },
    'recovery.run': async (i) => withProgress('recovery.progress', 'Repairing damaged files', () => recoverAll(engine, i.contexts as string[] | undefined)),
    ...(createBackupHandlers({ engine, ...(deps.emit ? { emit: deps.emit } : {}), ...(deps.background ? { background: deps.background } : {}) }) as unknown as Record<BackupChannelName, Handler>),
    ...createInsightHandlers({ engine, ...(deps.emit ? { emit: deps.emit } : {}) }),
    ...(createContextHandlers({ engine }) as unknown as Record<ContextChannelName, Handler>),
  };

  return {
    channels: Object.keys(handlers) as ChannelName[],
    async handle(channel, input, sender) {
      if (!deps.isOwnSender(sender)) return FOREIGN_SENDER_REFUSAL;
      if (typeof channel !== 'string' || !Object.hasOwn(channels, channel)) {
        return failure({ code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${JSON.stringify(String(channel).slice(0, 80))}.`, kept: 'Nothing was changed.' });
      }
      const name = channel as ChannelName;
      const parsed = channels[name].input.safeParse(input);
      if (!parsed.success) {
        // Short: a refusal never echoes a huge input back.
        const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ path: clip(issue.path.map(String).join('.'), 120), message: clip(issue.message, 200) }));
        const message = clip(`Invalid request for ${name}: ${issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')}.`, 2_000);
        return failure({ code: 'BAD_INPUT', message, kept: 'Nothing was changed.', issues });
      }
      try {
        const data = parsed.data as Input;
        // With an op, what it was given for: the same op with another request is refused (operationIntent.ts).
        const op = typeof data.op === 'string' ? data.op : undefined;
        const asked = () => {
          const { op: _op, ...rest } = data;
          return requestFingerprint(name, rest);
        };
        return { ok: true, value: await runAsOperation(op, asked, () => handlers[name](data)) };
      } catch (error) {
        return failure(toIpcError(error));
      }
    },
  };
}

function failure(error: IpcError): IpcResult<never> {
  return { ok: false, error };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function toIpcError(error: unknown): IpcError {
  if (error instanceof EngineError) {
    const kept = error.kept ?? (error.code === 'BAD_INPUT' || error.code === 'NOT_FOUND' ? 'Nothing was changed.' : undefined);
    return { code: error.code, message: clip(error.message, 2_000), ...(error.file === undefined ? {} : { file: error.file }), ...(kept === undefined ? {} : { kept }) };
  }
  return { code: 'INTERNAL', message: clip(printable(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`), 2_000), kept: 'Changes already saved are kept.' };
}
