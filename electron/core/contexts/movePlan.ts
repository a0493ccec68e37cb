// What moving charts (or a whole context) from one context to another would do, computed from
// the two states alone: which charts arrive new, which are already there exactly (dropped from
// the source, nothing lost), which collide with a different record under the same key (the
// person resolves: a new id, or skip: it stays where it is), and the exact records to put and
// delete. The same plan is shown as a preview and, recomputed under the lock, applied.
import { EngineError } from '../errors.ts';
import { entityKey, parseValue, type StoredRecord } from '../records.ts';
import { repeatedKey, type RecordSet } from '../recordSet.ts';
import { chartIndexOf, readChart, resolveChartId } from '../charts/chartModel.ts';
import { subtreeKeys } from '../charts/chartEdits.ts';
import { chartIdUsed, freeIdFor } from '../charts/chartIds.ts';
import { retarget } from './recordRetarget.ts';

export type CollisionChoice = 'new-id' | 'skip';

export interface MoveSelection {
  /** Chart ids (or names) to move with their telescoped subtrees; 'all': every record (a merge, a rename). */
  readonly charts: readonly string[] | 'all';
  /** Per chart id: what to do when it collides in the target. */
  readonly resolutions?: Readonly<Record<string, CollisionChoice>>;
  /** For every collision without its own resolution. */
  readonly onCollision?: CollisionChoice;
  /** Charts (the moved ones or their sub-charts) that go back to their metadata.previousChartId: the undo of a move under a new id. */
  readonly takeBack?: readonly string[];
}

export interface ChartPlan {
  readonly id: string;
  readonly title: string;
  /** new: arrives; same: already there exactly (dropped from the source); collision: a different record under one of its keys. */
  readonly status: 'new' | 'same' | 'collision';
  readonly records: number;
  readonly subCharts: number;
  readonly choice?: CollisionChoice;
  /** With choice new-id: the id it arrives under. */
  readonly newId?: string;
}

export interface MovePlan {
  readonly from: string;
  readonly to: string;
  readonly charts: ChartPlan[];
  /** Records that belong to no chart (a merge or rename moves them too). */
  readonly loose: { readonly move: number; readonly same: number; readonly collisions: string[] };
  /** Collisions the person has not resolved: applying is refused until they are. */
  readonly unresolved: string[];
  /** Into the target, in the source's line order. */
  readonly puts: StoredRecord[];
  /** From the source: what moves and what was already in the target. */
  readonly deletes: string[];
  /** Chart ids given a new id (old -> new). */
  readonly renamed: Record<string, string>;
}

export function planMove(from: string, to: string, source: RecordSet, target: RecordSet, selection: MoveSelection): MovePlan {
  const index = chartIndexOf(source);
  const known = new Set(index.ids);
  const roots = selection.charts === 'all'
    ? index.ids.filter((id) => { const parent = index.parentOf(id); return parent === undefined || !known.has(parent); })
    : requestedRoots(source, from, selection.charts, index);
  const claimed = new Set<string>();
  const targetIndex = chartIndexOf(target);
  const takenIds = new Set([...targetIndex.ids, ...index.ids]);
  const charts: ChartPlan[] = [];
  const unresolved: string[] = [];
  const moving = new Map<string, StoredRecord>();
  /** Key in the target -> key in the source (they differ for a chart given a new id). */
  const sourceKey = new Map<string, string>();
  const move = (record: StoredRecord, from: string) => {
    moving.set(record.key, record);
    sourceKey.set(record.key, from);
  };
  const deletes = new Set<string>();
  const targetIds = new Set(targetIndex.ids);
  const renamed: Record<string, string> = {};

  const movingIds = roots.flatMap((root) => index.subtree(root));
  for (const id of selection.takeBack ?? []) {
    if (!movingIds.includes(id)) throw new EngineError('BAD_INPUT', `Chart ${JSON.stringify(id)} is not one of the charts moved, so it cannot take back an earlier id. Nothing was moved.`, { kept: 'Nothing was changed.' });
  }
  // Decided for the whole move before any chart is planned: no new id given below may be one taken back.
  const takenBack = takeBackIds(source, movingIds, selection.takeBack, to, targetIds);
  for (const previous of takenBack.values()) takenIds.add(previous);
  for (const root of roots) {
    const keys = [...subtreeKeys(source, root, index, true)].filter((key) => !claimed.has(key));
    for (const key of keys) claimed.add(key);
    const subtree = index.subtree(root);
    const back = new Map([...takenBack].filter(([id]) => subtree.includes(id)));
    for (const [id, previous] of back) renamed[id] = previous;
    const plain = keys.map((key) => retarget(source.get(key) as StoredRecord, from, to, back));
    const clashing = plain.filter((record) => target.has(record.key) && target.get(record.key)?.raw !== record.raw);
    const same = plain.filter((record) => target.get(record.key)?.raw === record.raw);
    const chart = readChart(source, root, from, index);
    const title = chart?.desiredOutcome ?? root;
    const status = clashing.length > 0 ? 'collision' : same.length === plain.length && plain.length > 0 ? 'same' : 'new';
    const base = { id: root, title, status, records: keys.length, subCharts: subtree.length - 1, ...(back.has(root) ? { newId: back.get(root) as string } : {}) } as const;
    if (back.size > 0 && status === 'collision') {
      throw new EngineError('CONFLICT', `Chart ${root} cannot take back its id ${back.get(root) ?? [...back.values()].join(', ')} in context ${to}: a different record is there under it (${clashing[0]?.name ?? 'a record'}). Nothing was moved.`, { kept: 'Nothing was changed.' });
    }
    if (status !== 'collision') {
      charts.push(base);
      keys.forEach((key, i) => {
        const record = plain[i] as StoredRecord;
        if (target.get(record.key)?.raw !== record.raw) move(record, key);
        deletes.add(key);
      });
      continue;
    }
    // Own keys only: a chart called "constructor" must not find Object.prototype's.
    const own = selection.resolutions && Object.hasOwn(selection.resolutions, root) ? selection.resolutions[root] : undefined;
    const choice = own ?? selection.onCollision;
    if (choice === undefined) {
      unresolved.push(root);
      charts.push(base);
      continue;
    }
    if (choice === 'skip') {
      charts.push({ ...base, choice });
      continue;
    }
    // A new id for every chart of the tree whose id the target already uses, or whose records clash.
    const clashingKeys = new Set(clashing.map((record) => record.key));
    const clashingCharts = new Set(subtree.filter((id) => targetIds.has(id) || keys.some((key) => clashingKeys.has(key) && source.get(key)?.chartId === id)));
    clashingCharts.add(root);
    const ids = new Map<string, string>();
    for (const id of clashingCharts) {
      const free = freeIdFor(id, (candidate) => takenIds.has(candidate) || chartIdUsed(target, candidate));
      ids.set(id, free);
      takenIds.add(free);
      renamed[id] = free;
    }
    const records = keys.map((key) => retarget(source.get(key) as StoredRecord, from, to, ids));
    const still = records.find((record) => target.has(record.key));
    if (still) throw new EngineError('CONFLICT', `Chart ${root} cannot take a new id in context ${to}: ${still.name ?? 'a record'} is there too. Nothing was moved.`, { kept: 'Nothing was changed.' });
    charts.push({ ...base, choice, newId: ids.get(root) as string });
    keys.forEach((key, i) => {
      move(records[i] as StoredRecord, key);
      deletes.add(key);
    });
  }

  const loose = { move: 0, same: 0, collisions: [] as string[] };
  if (selection.charts === 'all') {
    for (const record of source.values()) {
      if (claimed.has(record.key)) continue;
      // Another program's second line for a record goes where the record goes: moved after it
      // when it moves as it is, else left for the record (deleting the record deletes it). On
      // its own in the target it would be read as the record there (contextCommit.ts).
      const repeats = record.kind === 'line' ? repeatedKey(record.raw) : undefined;
      if (repeats !== undefined && sourceKey.get(repeats) !== repeats) continue;
      const moved = retarget(record, from, to);
      const there = target.get(moved.key);
      if (there === undefined) {
        move(moved, record.key);
        deletes.add(record.key);
        loose.move += 1;
      } else if (there.raw === moved.raw) {
        deletes.add(record.key);
        loose.same += 1;
      } else {
        // Not part of a chart: it stays in the source, reported (no new id makes sense for it).
        loose.collisions.push(record.name ?? record.raw.slice(0, 120));
      }
    }
  }
  // In the source's line order, so a renamed context's file reads as it did.
  const order = new Map([...source.keys()].map((key, i) => [key, i]));
  const rank = (record: StoredRecord) => order.get(sourceKey.get(record.key) ?? record.key) ?? 0;
  const puts = [...moving.values()].sort((a, b) => rank(a) - rank(b));
  return { from, to, charts, loose, unresolved, puts, deletes: [...deletes], renamed };
}

/**
 * The charts of the move that go back to the id they had (metadata.previousChartId of their
 * chart entity), as asked. Refused when one has none, or when that id is a chart in the target,
 * a chart of the move, or the one another chart of the move takes back: two charts under one id
 * would be the same records, and one would overwrite the other.
 */
function takeBackIds(source: RecordSet, moving: readonly string[], wanted: readonly string[] | undefined, to: string, targetIds: ReadonlySet<string>): Map<string, string> {
  const back = new Map<string, string>();
  if (!wanted || wanted.length === 0) return back;
  const refuse = (id: string, previous: string, why: string) => new EngineError('CONFLICT', `Chart ${id} cannot take back its id ${previous} in context ${to}: ${why}. Nothing was moved.`, { kept: 'Nothing was changed.' });
  for (const id of moving) {
    if (!wanted.includes(id)) continue;
    const chart = source.get(entityKey(`${id}_chart`));
    const meta = chart ? (parseValue(chart).metadata as Record<string, unknown> | undefined) : undefined;
    const previous = typeof meta?.previousChartId === 'string' ? meta.previousChartId : undefined;
    if (previous === undefined || previous === id) throw new EngineError('BAD_INPUT', `Chart ${id} has no earlier id to take back. Nothing was moved.`, { kept: 'Nothing was changed.' });
    if (targetIds.has(previous)) throw refuse(id, previous, `a chart ${previous} is there`);
    if (moving.includes(previous)) throw refuse(id, previous, `chart ${previous} moves too`);
    const taker = [...back].find(([, taken]) => taken === previous)?.[0];
    if (taker !== undefined) throw refuse(id, previous, `chart ${taker} takes it`);
    back.set(id, previous);
  }
  return back;
}

function requestedRoots(source: RecordSet, from: string, requested: readonly string[], index: ReturnType<typeof chartIndexOf>): string[] {
  if (requested.length === 0) throw new EngineError('BAD_INPUT', 'Name at least one chart to move.');
  const ids: string[] = [];
  for (const wanted of requested) {
    const id = resolveChartId(source, wanted);
    if (!id) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(wanted)} in context ${from}; nothing was moved.`, { kept: 'Nothing was changed.' });
    if (!ids.includes(id)) ids.push(id);
  }
  // A chart inside another chosen chart's subtree goes with it.
  const inside = new Set(ids.flatMap((id) => index.subtree(id).slice(1)));
  const roots = ids.filter((id) => !inside.has(id));
  // Moved alone, a sub-chart would leave its parent's step without it (completion would no
  // longer reach the parent, removing the step would not remove it) and link into another
  // context: refused as charts.move refuses it.
  for (const id of roots) {
    const parent = index.parentOf(id);
    if (parent !== undefined && parent !== id && index.has(parent)) {
      throw new EngineError('BAD_INPUT', `Chart ${id} is a sub-chart of ${parent}: move the top chart, and its sub-charts go with it. Nothing was changed.`, { kept: 'Nothing was changed.' });
    }
  }
  return roots;
}
