// Moving charts (one, several, or every record of a context) to another context as one
// crash-safe change: planned under the lock from both contexts' current states (movePlan.ts)
// and committed through the intent log (engine.transactAcross), so after a crash every record
// is in exactly one of the two contexts. The operation id names the move (moveOperation.ts), so
// a chart's history follows it, and a retried request (same op) is applied once.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { validateContextName } from '../dataRoot.ts';
import { moveNote, moveOperationId } from './moveOperation.ts';
import { planMove, type ChartPlan, type MovePlan, type MoveSelection } from './movePlan.ts';
import { refuseRetiredDestination } from './retiredTargets.ts';
import type { StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';

export interface MoveOptions {
  /** The caller's operation id: the same request sent twice moves once. */
  readonly op?: string | undefined;
  /** What the history says was moved ("Chart X", "Context work (renamed)"). */
  readonly what?: string;
  /**
   * More of the same change, in the same commit (the undo of a merge: records of no chart go
   * back with the charts): decided under the lock from the plan and the two states as they are.
   */
  readonly besides?: (plan: MovePlan, source: RecordSet, target: RecordSet) => { readonly deletes: readonly string[]; readonly puts: readonly StoredRecord[] };
  /** Run under the lock once the move is planned and not refused, just before it is committed. */
  readonly beforeCommit?: () => void;
  /**
   * A context operation's own move (a rename, merge or adopt, the undo of a merge), which may
   * go into a name retired into another: it checks its target itself. Without it, a move into
   * a name renamed or merged away is refused (refuseRetiredDestination).
   */
  readonly ownMove?: true;
}

export interface MoveResult {
  readonly from: string;
  readonly to: string;
  /** Charts that arrived (under their new id when they were given one). */
  readonly moved: string[];
  /** Charts already in the target exactly: taken out of the source, nothing lost. */
  readonly alreadyThere: string[];
  readonly skipped: string[];
  readonly renamed: Record<string, string>;
  readonly records: number;
  readonly looseCollisions: string[];
  /** A retried request (same operation id) that had already been applied. */
  readonly duplicate: boolean;
}

export type MovePreview = Omit<MovePlan, 'puts' | 'deletes' | 'renamed'> & { readonly records: number };

function checkPair(from: string, to: string): void {
  validateContextName(from);
  validateContextName(to);
  if (from === to) throw new EngineError('BAD_INPUT', `Source and target are both context ${to}; nothing was moved.`, { kept: 'Nothing was changed.' });
}

/** What the move would do, without doing it (read under the lock, so both states are current). */
export async function previewMove(engine: Engine, from: string, to: string, selection: MoveSelection): Promise<MovePreview> {
  checkPair(from, to);
  return engine.withLock(() => {
    const source = engine.storeForLockedWork(from).state;
    const target = engine.storeForLockedWork(to).state;
    const { puts, deletes: _deletes, renamed: _renamed, ...plan } = planMove(from, to, source, target, selection);
    return { ...plan, records: puts.length };
  });
}

export async function moveCharts(engine: Engine, from: string, to: string, selection: MoveSelection, options: MoveOptions = {}): Promise<MoveResult> {
  checkPair(from, to);
  let plan: MovePlan | undefined;
  let extra: { readonly deletes: readonly string[]; readonly puts: readonly StoredRecord[] } = { deletes: [], puts: [] };
  const op = moveOperationId(from, to, options.op);
  const what = options.what ?? (selection.charts === 'all' ? `Everything in context ${from}` : selection.charts.length === 1 ? `Chart ${selection.charts[0]}` : `${selection.charts.length} charts`);
  const results = await engine.transactAcross(
    [
      [from, (source) => {
        if (!options.ownMove) refuseRetiredDestination(engine, to);
        // Under the lock: the target as it is now (the preview the person saw may be stale).
        const target = engine.storeForLockedWork(to).state;
        plan = planMove(from, to, source, target, selection);
        if (plan.unresolved.length > 0) {
          throw new EngineError('CONFLICT', `${plan.unresolved.length === 1 ? 'Chart' : 'Charts'} ${plan.unresolved.join(', ')} already ${plan.unresolved.length === 1 ? 'exists' : 'exist'} in context ${to} with different content: choose a new id or skip for each. Nothing was moved.`, { kept: 'Nothing was changed.' });
        }
        if (options.besides) extra = options.besides(plan, source, target);
        return { puts: [], deletes: [...plan.deletes, ...extra.deletes] };
      }],
      [to, (target) => {
        const puts = [...(plan as MovePlan).puts, ...extra.puts];
        // The target cannot have changed since the plan (same lock), but a record there now that
        // differs would be overwritten: refuse rather than overwrite silently.
        const clash = puts.find((record) => target.has(record.key) && target.get(record.key)?.raw !== record.raw);
        if (clash) throw new EngineError('CONFLICT', `Context ${to} changed while the move was planned (${clash.name ?? 'a record'}); nothing was moved. Try again.`, { kept: 'Nothing was changed.' });
        options.beforeCommit?.();
        return { puts: puts.filter((record) => target.get(record.key)?.raw !== record.raw), deletes: [], verbatim: true };
      }],
    ],
    { op, note: moveNote(from, to, what) },
  );
  if (!plan) {
    // A retry of a move already made: answered, not redone.
    return { from, to, moved: [], alreadyThere: [], skipped: [], renamed: {}, records: results[to]?.changed ?? 0, looseCollisions: [], duplicate: true };
  }
  const done = plan as MovePlan;
  const of = (status: ChartPlan['status'], test: (c: ChartPlan) => boolean = () => true) => done.charts.filter((c) => c.status === status && test(c));
  return {
    from,
    to,
    moved: [...of('new'), ...of('collision', (c) => c.choice === 'new-id')].map((c) => c.newId ?? c.id),
    alreadyThere: of('same').map((c) => c.id),
    skipped: of('collision', (c) => c.choice === 'skip').map((c) => c.id),
    renamed: done.renamed,
    records: done.puts.length + extra.puts.length,
    looseCollisions: done.loose.collisions,
    duplicate: false,
  };
}
