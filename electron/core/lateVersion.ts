// A version of the context file another program wrote before the newest one we have taken in:
// the observer's report came late (a busy machine), after the file itself or another process's
// rewrite. Its changes cannot be judged against the versions after it, so only its additions
// are taken: records no version we know of held, which would otherwise be lost (a newer writer
// replaced it without having read them).
//
// It is journaled as a version of its own, another program's (the commit names where it differs
// from the state). Its writer's next version starts from it: without it, the records it added
// came into no version but the next one closed (our rewrite, usually), and that writer's next
// file, showing them, was judged to start from our rewrite and to delete everything the rewrite
// held that the late version never had (race g in CI: a coaia-narrative chart's relations,
// written over the late version by the chart's second save, were journaled deleted).
import type { StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import type { Form } from './fileVersions.ts';
import type { ParsedContextFile } from './contextFile.ts';
import type { ContextMemory } from './contextMemory.ts';
import { raceWindowMs } from './fileVersions.ts';
import { showsVersion } from './recordMerge.ts';
import { loadVersions } from './journalReplay.ts';
import { commitChanges } from './contextCommit.ts';

export function absorbLateVersion(m: ContextMemory, file: ParsedContextFile): void {
  m.rememberVersion(file.bytes.length, file.identity?.crc ?? '');
  // The newer version was written long enough after this one that its writer had read this
  // one: what it lacks of this one, it deleted.
  const newer = m.fileIdentity;
  if (file.identity && newer && Number((newer.mtimeNs - file.identity.mtimeNs) / 1_000_000n) > raceWindowMs(newer.size)) return;
  if (!m.versionsLoaded) loadVersions(m);
  // A record of its own that a newer version we know lacks is kept only at the end of its list
  // (a lost race: the newer version's writer never saw it); one with records after it that the
  // newer version kept was deleted (a hole; see externalMerge.ts).
  const records = [...file.map.values()];
  const puts: StoredRecord[] = [];
  const keptLater = new Set<string>();
  for (let i = records.length - 1; i >= 0; i -= 1) {
    const record = records[i] as StoredRecord;
    if (m.state.has(record.key)) keptLater.add(record.kind);
    else if (!keptLater.has(record.kind) && !m.versions.heldInSomeVersion(record.key)) puts.unshift(record);
  }
  if (puts.length === 0) return;
  const changes = { puts, deletes: [], verbatim: true };
  // It was on disk until the newer version replaced it, at the latest: its records are counted
  // from then (a peer's file written soon after may not have seen them; see fileVersions.ts).
  const written = Math.max(writtenAtMs(file), Number(m.newestVersionTime / 1_000_000n));
  // Then the file as it is on disk, the newer version, again: the late one's records are not on
  // disk (until our rewrite puts them back). Without it the versions said the late version was
  // the file from then on, and a peer's file written from the real one more than the race window
  // later, lacking those records it never saw, was judged to delete them (the third review's F5:
  // our rewrite had not come, the app stopped).
  const onDisk = (): Map<string, Form> => differences(m.materialized, m.state);
  if (m.readOnly) {
    m.applyInMemory(changes);
    m.versions.close(m.seq, 'peer', written, differences(file.map, m.state));
    m.versions.close(m.seq, 'peer', written, onDisk());
    return;
  }
  const note = `records found in a version of the context file another program wrote earlier (read after a newer one): ${puts.length} added`;
  // The differences are taken once the additions are in the state: the commit applies them
  // before it closes the version (contextCommit.ts), so they are computed on what it will be.
  commitChanges(m, changes, { origin: 'external', note, fileDiffers: differencesAfter(file.map, m.state, puts), fileWritten: written });
  commitChanges(m, { puts: [], deletes: [] }, { origin: 'external', note: 'the context file as it is on disk again, after that earlier version', fileDiffers: onDisk(), fileWritten: written });
}

/** Where the file differs from the state: a record it lacks (undefined), or holds in a form that is not the state's minus dropped fields. */
function differences(file: ReadonlyMap<string, StoredRecord>, state: RecordSet): Map<string, Form> {
  return differencesAfter(file, state, []);
}

/** The same, for the state once `added` (records of the file) are put in it. */
function differencesAfter(file: ReadonlyMap<string, StoredRecord>, state: RecordSet, added: readonly StoredRecord[]): Map<string, Form> {
  const addedKeys = new Set(added.map((record) => record.key));
  const result = new Map<string, Form>();
  for (const ours of state.values()) {
    const theirs = file.get(ours.key);
    if (theirs === undefined) result.set(ours.key, undefined);
    else if (!showsVersion(theirs, ours)) result.set(ours.key, theirs);
  }
  // Records of the file the state does not hold, and does not take (deleted since): the file's.
  for (const [key, theirs] of file) if (!state.has(key) && !addedKeys.has(key)) result.set(key, theirs);
  return result;
}

/** When the file was written: its mtime, or 0 if unknown (the newest version's time is then taken). */
function writtenAtMs(file: ParsedContextFile): number {
  return file.identity && file.identity.mtimeNs > 0n ? Number(file.identity.mtimeNs / 1_000_000n) : 0;
}
