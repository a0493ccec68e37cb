// Absorbing a version of the context file that someone else wrote (a peer's whole-file
// rewrite): a three-way merge per record of the peer's version, ours, and the base, the form
// each record had in the version the peer started from (fileVersions.ts finds it).
// - The peer's form is the base (or the base minus fields it drops): it did not touch the
//   record, ours stands.
// - The peer lacks a record its base had: it deleted it, unless we changed it since (ours
//   stands) or the file is damaged or cut short (absence is then not deletion). One exception:
//   a record that came into the base with the base itself, a version another program made just
//   before. That version may combine writes we never saw (peer B read peer A's version, added
//   its own record and wrote), and a peer that started from A's version lacks B's record without
//   deleting it. Peers append new records at the end, so such a peer lacks the newest records,
//   the base's tail; a deletion leaves a hole. The record is taken as deleted only if the peer
//   kept a record of the base that comes after it.
// - The peer lacks a record its base did not have. Ours: a lost race, it stays. Another
//   program's, on disk long enough before the peer's file that the peer must have read it: the
//   peer deleted it (otherwise an assistant could never delete what it had just made).
// - The peer lacks a record its base did not have: it never saw it (a lost race); ours stands.
// - The peer's version holds no line of another type (comments, `_aim` markers, legacy
//   narrative_beat lines): it is a program that reads only entities and relations and writes
//   back only those (the reference server). The lines it lacks were dropped, not deleted; but
//   a repeat of a record, and a line it turned into an entity of the line's name (coaia-narrative
//   converts legacy beats), are gone as it meant.
// - The peer changed it: fields and metadata keys the base had and the peer lacks are kept; if
//   we changed it too, each field we changed is ours and observations are merged as lists.
// - The peer changed or added a record that leans on what we deleted since its base (it marked
//   a step of a chart we removed complete, or added a step to it): its change stands, and so do
//   the records we deleted that it is linked with in the peer's version, through relations and
//   the entities at their ends, and from a telescoped chart to its parent chart and the step it
//   was telescoped from (the whole chart, with the charts telescoped from it). Alone it
//   would be a step of no chart, which no chart list shows. Keeping more is the cheaper mistake:
//   the person deletes the chart again; the peer's change, dropped, would be lost. The same the
//   other way: a record of ours that stays though the peer lacks it (changed since its base, or
//   never seen) keeps what the peer deleted that it is linked with (we retitled a step, or added
//   one, while the peer deleted the chart).
import type { StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import type { Form } from './fileVersions.ts';
import { keepDroppedFields, mergeThreeWay, showsVersion } from './recordMerge.ts';
import { entityKey } from './records.ts';
import { chartEntityName, chartHeadOf } from './charts/chartModel.ts';

export interface AbsorbInput {
  /** The records now in the file, by key, in file order. */
  readonly file: ReadonlyMap<string, StoredRecord>;
  /** The form of a record in the version the peer started from. */
  readonly base: (key: string) => Form;
  /** True when the record came into the base with the base itself, a version another program made, shortly before (fileVersions.ts). */
  readonly cameWithRacingPeerBase?: (key: string) => boolean;
  /** True when another program added the record (not in the base) long enough before that the peer must have seen it. */
  readonly addedByPeerLongBefore?: (key: string) => boolean;
  /** The form of a record a peer's earlier version lacked, kept and put back long enough before that this peer read it (Judgement.deletionRepeated). */
  readonly deletionRepeated?: (key: string) => Form;
  /** Keys whose base may be defined beyond the file's and the state's (records of older versions). */
  readonly otherKeys: Iterable<string>;
  readonly current: RecordSet;
  /** False when the file is damaged or truncated: a missing record is then not a deletion. */
  readonly absenceIsDeletion: boolean;
  /**
   * True for a line of another type (a comment, an `_aim` marker, a legacy narrative_beat) that
   * the file lacks because its writer drops such lines (it keeps only entities and relations, as
   * the reference server does), not because it deleted it: see peerVersionIntake.ts.
   */
  readonly droppedLine?: (line: StoredRecord) => boolean;
  /**
   * The file is our own rewrite (its checksum is in our journal or checkpoint): what it lacks
   * was removed, and fields it lacks were removed, so nothing is merged back into it.
   */
  readonly fileIsOurs?: boolean;
  /**
   * With fileIsOurs, when it is known how far the file goes in the journal: the keys of the
   * records the journal changed after the rewrite (fileAndNewerJournal).
   */
  readonly changedAfterFile?: ReadonlySet<string>;
}

export interface AbsorbResult {
  readonly puts: StoredRecord[];
  readonly deletes: string[];
  /** Records whose dropped fields or metadata keys were kept. */
  readonly keptFields: number;
  /** Records missing or older in the peer's version because it never saw ours. */
  readonly lostRace: number;
  /** Records deleted here since the peer's base that came back with a change of the peer's linked to them. */
  readonly restoredWith: number;
  /** Records the peer deleted that stay with a record of ours it lacks (changed since, or never seen) linked to them. */
  readonly keptWith: number;
  /**
   * Where the file differs from the state once the merge is applied: a record the file lacks
   * (undefined), or holds in a form that is not the state's minus dropped fields.
   */
  readonly overrides: Map<string, Form>;
}

const sameRaw = (a: Form, b: Form) => a === b || (a !== undefined && b !== undefined && a.raw === b.raw);

export function absorbExternalVersion(input: AbsorbInput): AbsorbResult {
  if (input.fileIsOurs && input.changedAfterFile) return fileAndNewerJournal(input.file, input.current, input.changedAfterFile);
  let kept: Set<string> | undefined;
  const keptAfter = () => (kept ??= recordsKeptAfter(input));
  const puts: StoredRecord[] = [];
  const deletes: string[] = [];
  const overrides = new Map<string, Form>();
  let keptFields = 0;
  let lostRace = 0;
  const visited = new Set<string>();
  // Records the peer shows unchanged that we deleted since its base (by key, their base form),
  // and the peer's changes that come back or in while we lack them: what may lean on the first.
  const deletedHere = new Map<string, StoredRecord>();
  const arrivals: StoredRecord[] = [];
  // The other way round: records the peer deleted (by key, ours), and ours it lacks that stay
  // (changed since its base, or never seen by it): what may lean on the first.
  const deletedThere = new Map<string, StoredRecord>();
  const staying: StoredRecord[] = [];
  // Only a peer's deletions are walked: not our own rewrite's, and none from a file whose
  // absences are not deletions (damaged, cut short: every record it lacks would be a seed).
  const keepWalk = input.absenceIsDeletion && !input.fileIsOurs;
  const visit = (key: string) => {
    if (visited.has(key)) return;
    visited.add(key);
    const b = input.base(key);
    const f = input.file.get(key);
    const c = input.current.get(key);
    let after = c;
    if (f !== undefined && b !== undefined && (sameRaw(f, b) || (!input.fileIsOurs && showsVersion(f, b)))) {
      // Untouched by the peer (perhaps with fields it drops): ours stands.
      if (!sameRaw(f, b)) keptFields += 1;
      if (c !== undefined && !sameRaw(c, b)) lostRace += 1; // it shows an older form of ours
      if (c === undefined && !input.fileIsOurs) deletedHere.set(key, b);
    } else if (f === undefined) {
      if (b === undefined) {
        if (c !== undefined && input.absenceIsDeletion && (input.addedByPeerLongBefore?.(key) || sameRaw(c, input.deletionRepeated?.(key)))) {
          deletes.push(key);
          if (keepWalk) deletedThere.set(key, c);
          after = undefined;
        } else if (c !== undefined) lostRace += 1; // ours, never seen by the peer
      } else if (b.kind === 'line' && input.droppedLine?.(b)) {
        // Dropped, not deleted: ours stands (and the next rewrite writes it back in its place).
      } else if (input.absenceIsDeletion && c !== undefined && sameRaw(c, b) && !(input.cameWithRacingPeerBase?.(key) && !keptAfter().has(key))) {
        deletes.push(key);
        if (keepWalk) deletedThere.set(key, c);
        after = undefined;
      }
      // otherwise we changed it since: our change stands on top of their deletion
    } else {
      const kept = input.fileIsOurs ? f : keepDroppedFields(b, f, c === undefined);
      if (kept !== f) keptFields += 1;
      const merged = c === undefined || sameRaw(c, b) ? kept : mergeThreeWay(b, kept, c);
      if (!sameRaw(merged, c)) {
        puts.push(merged);
        after = merged;
        if (c === undefined) arrivals.push(merged);
      }
    }
    if (f === undefined) {
      if (after !== undefined) {
        overrides.set(key, undefined);
        if (keepWalk) staying.push(after);
      }
    } else if (after === undefined || !(sameRaw(f, after) || showsVersion(f, after))) overrides.set(key, f);
  };
  for (const key of input.file.keys()) visit(key);
  for (const key of input.current.keys()) visit(key);
  for (const key of input.otherKeys) visit(key);
  const restored = deletedHere.size > 0 && arrivals.length > 0 ? recordsLinkedTo(arrivals, deletedHere) : [];
  for (const record of restored) {
    puts.push(record);
    overrides.delete(record.key); // the file shows it (its base form, perhaps minus dropped fields)
  }
  const keptBack = deletedThere.size > 0 && staying.length > 0 ? recordsLinkedTo(staying, deletedThere) : [];
  for (const record of keptBack) overrides.set(record.key, undefined); // the file lacks it; the next rewrite puts it back
  const notDeleted = new Set(keptBack.map((record) => record.key));
  return { puts, deletes: notDeleted.size === 0 ? deletes : deletes.filter((key) => !notDeleted.has(key)), keptFields, lostRace, restoredWith: restored.length, keptWith: keptBack.length, overrides };
}

/**
 * Our own rewrite found where the journal's replay ends elsewhere, and the commits the journal
 * holds after that rewrite known (`changedAfter`): the journal lost entries the file holds (cut
 * short, a damaged line in the middle). Nothing is merged: the file is the state as of its
 * rewrite, and the journal's later commits are newer still. Each record is the file's, except
 * those the journal changed after the rewrite, which are the journal's. A three-way merge against
 * the journal's view of the file would read a change the journal lost as a change of the file's
 * made against ours, and keep the older form of ours beside it (a deletion undone, an
 * observation back).
 */
function fileAndNewerJournal(file: ReadonlyMap<string, StoredRecord>, current: RecordSet, changedAfter: ReadonlySet<string>): AbsorbResult {
  const puts: StoredRecord[] = [];
  const deletes: string[] = [];
  const overrides = new Map<string, Form>();
  for (const [key, f] of file) {
    const c = current.get(key);
    if (changedAfter.has(key)) {
      if (!sameRaw(f, c)) overrides.set(key, f);
    } else if (!sameRaw(f, c)) puts.push(f);
  }
  for (const key of current.keys()) {
    if (file.has(key)) continue;
    if (changedAfter.has(key)) overrides.set(key, undefined);
    else deletes.push(key);
  }
  return { puts, deletes, keptFields: 0, lostRace: 0, restoredWith: 0, keptWith: 0, overrides };
}

/**
 * The records of `deleted` (deleted on one side: by key, the form to keep) reachable from
 * `seeds` (records that stay on the other side's account) through relations and the entities at
 * their ends, and from a chart entity to its parent's chart entity and the step it was
 * telescoped from (`metadata.parentChart`, `metadata.parentActionStep`: the sub-chart's outcome
 * relates to the parent's outcome, not to the step, and coaia-narrative's add_action_step leaves
 * out even that relation, its last write being of the graph as it was before). Only deleted
 * records are walked: a step removed comes back with its own relations, not with the other
 * steps of a chart that is still there.
 */
function recordsLinkedTo(seeds: readonly StoredRecord[], deleted: ReadonlyMap<string, StoredRecord>): StoredRecord[] {
  const relationsByEnd = new Map<string, string[]>();
  for (const record of deleted.values()) {
    if (record.kind !== 'relation') continue;
    for (const end of new Set([record.from as string, record.to as string])) {
      const list = relationsByEnd.get(end);
      if (list) list.push(record.key);
      else relationsByEnd.set(end, [record.key]);
    }
  }
  const taken = new Map<string, StoredRecord>();
  const queue = [...seeds];
  const take = (key: string) => {
    const record = deleted.get(key);
    if (record === undefined || taken.has(key)) return;
    taken.set(key, record);
    queue.push(record);
  };
  while (queue.length > 0) {
    const record = queue.pop() as StoredRecord;
    if (record.kind === 'entity') {
      for (const key of relationsByEnd.get(record.name as string) ?? []) take(key);
      // A telescoped chart's entity names its parent chart and step (as the chart index reads them).
      const head = chartHeadOf(record);
      if (head?.kind === 'chart') {
        if (head.parentChart) take(entityKey(chartEntityName(head.parentChart)));
        if (head.parentStep) take(entityKey(head.parentStep));
      }
    } else if (record.kind === 'relation') for (const end of [record.from as string, record.to as string]) take(entityKey(end));
  }
  return [...taken.values()];
}

/**
 * The records of the state (in file order) after which the peer's file still has a record of
 * the same kind that its base had: where a missing record is a hole (a deletion), not a missing
 * end. Peers write entities and relations as two lists, appending to each, so each kind has
 * its own end.
 */
function recordsKeptAfter(input: AbsorbInput): Set<string> {
  const keys = [...input.current.keys()];
  const result = new Set<string>();
  const keptLater = new Set<string>();
  for (let i = keys.length - 1; i >= 0; i -= 1) {
    const key = keys[i] as string;
    const kind = key.slice(0, 1);
    if (keptLater.has(kind)) result.add(key);
    if (input.file.has(key) && input.base(key) !== undefined) keptLater.add(kind);
  }
  return result;
}
