// Every version of a context file that we know existed, and the judge that tells which of them
// another program's rewrite started from.
//
// A peer's version P is some version F that it read, plus its own small change. The versions we
// know of are each of our rewrites (a `snapshot` line in the journal) and each peer version we
// absorbed (a commit carrying `version`). Each version's content is the journal's state at that
// point, except the records where the peer's file differed from it (`overrides`: a record it
// lacked, or held in another form). Versions are kept as generations: what each one changed,
// with the previous form of every record it changed. Any process can rebuild them from the
// journal, so a process started a moment ago judges as well as one running for days.
//
// F is the version that best explains P: the one whose forms P shows for the most records that
// differ between versions (a record P lacks is no evidence either way: it may be a deletion).
// Where versions explain P equally well, the oldest is taken: it holds fewer records, so fewer
// of ours are read as deleted (a wrongly kept record costs one more delete; a wrongly dropped
// one is data lost).
import { recordOfKeyAndLine, type StoredRecord } from './records.ts';
import { showsVersion } from './recordMerge.ts';

/** A record's form in one version of the file; undefined: the version did not have it. */
export type Form = StoredRecord | undefined;

/** Who made a version: our rewrite (all its changes at once), or another program (whose version may combine several we never saw). */
export type VersionMaker = 'ours' | 'peer';

interface Generation {
  /** Journal sequence number of the version this generation made. */
  readonly seq: number;
  readonly maker: VersionMaker;
  /** When the version was written (ms since the epoch; for a peer's version read from the journal, when it was absorbed: a little later). */
  readonly time: number;
  /** The form, in the version before, of every record whose form this version changed. */
  readonly previous: ReadonlyMap<string, Form>;
  /** Bytes of the previous forms it holds (for the memory budget). */
  readonly bytes: number;
}

export interface StateView {
  get(key: string): StoredRecord | undefined;
}

/** The versions as a checkpoint keeps them (checkpoint.json `versions`). */
export interface SavedVersions {
  /** Oldest first: [seq, maker, time, [[key, previous line or null], …]]. */
  readonly generations: [number, VersionMaker, number, [string, string | null][]][];
  readonly trimmed: boolean;
}

/** How much of the versions a checkpoint keeps: bytes of earlier record forms and keys, and versions. */
export const SAVED_VERSION_BYTES = 1024 * 1024;
export const SAVED_VERSIONS = 512;
/**
 * A version that only made records, this many or more (a file adopted whole, an import): not
 * saved. The evidence it holds (those records were new then) only matters to a peer that
 * started from before it, and it would make every checkpoint as large as the file's keys.
 */
const MASS_CREATION = 1_000;

/** Bounds on what is remembered: versions older than these are forgotten, oldest first. */
export const VERSIONS_KEPT = 20_000;
export const VERSION_BYTES_KEPT = 64 * 1024 * 1024;

export class FileVersions {
  private generations: Generation[] = [];
  /** Records the state changed since the newest version, with their form in it. */
  private since = new Map<string, Form>();
  /** Where the newest version differed from the state when it was made. */
  private overrides: ReadonlyMap<string, Form> = new Map();
  private bytes = 0;
  /** Some old versions were forgotten: the oldest known is not the first the file had. */
  private trimmed = false;

  constructor(private readonly state: StateView) {}

  /** When the newest version we know of was written (ms since the epoch), if any. */
  get newestTime(): number | undefined {
    return this.generations[this.generations.length - 1]?.time;
  }

  /** How many versions are known (generations + the first one). */
  get count(): number {
    return this.generations.length + 1;
  }

  /** Called before the state changes `key`: remembers its form in the newest version. */
  touch(key: string): void {
    if (!this.since.has(key)) this.since.set(key, this.latest(key));
  }

  /** A record's form in the newest version. */
  latest(key: string): Form {
    if (this.since.has(key)) return this.since.get(key);
    if (this.overrides.has(key)) return this.overrides.get(key);
    return this.state.get(key);
  }

  /** A new version of the file now exists: the state as it is, except `overrides`. */
  close(seq: number, maker: VersionMaker, time: number, overrides: ReadonlyMap<string, Form> = new Map()): void {
    const previous = new Map<string, Form>();
    let bytes = 0;
    for (const keys of [this.since.keys(), this.overrides.keys(), overrides.keys()]) {
      for (const key of keys) {
        if (previous.has(key)) continue;
        const before = this.latest(key);
        const after = overrides.has(key) ? overrides.get(key) : this.state.get(key);
        if (sameForm(before, after)) continue;
        previous.set(key, before);
        bytes += key.length + (before?.raw.length ?? 0);
      }
    }
    this.since = new Map();
    this.overrides = overrides;
    if (previous.size === 0) return;
    this.generations.push({ seq, maker, time, previous, bytes });
    this.bytes += bytes;
    while (this.generations.length > VERSIONS_KEPT || (this.bytes > VERSION_BYTES_KEPT && this.generations.length > 1)) {
      const dropped = this.generations.shift() as Generation;
      this.bytes -= dropped.bytes;
      this.trimmed = true;
    }
  }

  /** The state was set to a file another program wrote, found without a journal: it is the first version, theirs. */
  adoptedFile(seq: number, time: number, records: ReadonlyMap<string, unknown>): void {
    if (records.size === 0) return;
    let bytes = 0;
    // forEach: a map not yet built (DeferredRecordMap) walks its list; its keys() is a generator.
    records.forEach((_, key) => (bytes += key.length));
    // Every record was new in that version: its keys, each without a previous form, read from
    // the file's own map (never changed once read) rather than copied (100k keys at an open).
    const previous = new KeysWithoutForm(records);
    this.generations.push({ seq, maker: 'peer', time, previous, bytes });
    this.bytes += bytes;
  }

  /**
   * The versions up to the one with journal line `upToSeq` (a snapshot: the state then is the
   * file), newest kept first within `budget` bytes: what a checkpoint saves so that a process
   * opening from it judges a peer's file without replaying the journal.
   */
  save(upToSeq: number, budget = SAVED_VERSION_BYTES): SavedVersions {
    const kept: SavedVersions['generations'] = [];
    let bytes = 0;
    let trimmed = this.trimmed;
    for (let i = this.generations.length - 1; i >= 0; i -= 1) {
      const generation = this.generations[i] as Generation;
      if (generation.seq > upToSeq) continue;
      if (generation.previous.size >= MASS_CREATION && [...generation.previous.values()].every((form) => form === undefined)) {
        trimmed = true;
        continue;
      }
      bytes += generation.bytes;
      if (bytes > budget || kept.length >= SAVED_VERSIONS) {
        trimmed = true;
        break;
      }
      kept.push([generation.seq, generation.maker, generation.time, [...generation.previous].map(([key, form]) => [key, form?.raw ?? null])]);
    }
    return { generations: kept.reverse(), trimmed };
  }

  /** Takes over the versions a checkpoint saved (the state must be the checkpoint's file). False when they do not read. */
  restore(saved: unknown): boolean {
    const value = saved as Partial<SavedVersions> | undefined;
    if (!value || !Array.isArray(value.generations) || typeof value.trimmed !== 'boolean') return false;
    const generations: Generation[] = [];
    let total = 0;
    for (const item of value.generations as unknown[]) {
      if (!Array.isArray(item) || item.length !== 4 || !Number.isSafeInteger(item[0]) || (item[1] !== 'ours' && item[1] !== 'peer') || typeof item[2] !== 'number' || !Array.isArray(item[3])) return false;
      const previous = new Map<string, Form>();
      let bytes = 0;
      for (const entry of item[3] as unknown[]) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !(entry[1] === null || typeof entry[1] === 'string')) return false;
        const form = entry[1] === null ? undefined : recordOfKeyAndLine(entry[0], entry[1]);
        if (entry[1] !== null && form === undefined) return false;
        previous.set(entry[0], form);
        bytes += entry[0].length + (entry[1]?.length ?? 0);
      }
      generations.push({ seq: item[0] as number, maker: item[1], time: item[2], previous, bytes });
      total += bytes;
    }
    this.generations = generations;
    this.since = new Map();
    this.overrides = new Map();
    this.bytes = total;
    this.trimmed = value.trimmed;
    return true;
  }

  /** Takes over what another instance (a replay of the journal) learned; the state must be the same. */
  adopt(other: FileVersions): void {
    this.generations = other.generations;
    this.since = other.since;
    this.overrides = other.overrides;
    this.bytes = other.bytes;
    this.trimmed = other.trimmed;
  }

  /** True when some known version of the file held this record (in any form). */
  heldInSomeVersion(key: string): boolean {
    if (this.latest(key) !== undefined) return true;
    return this.generations.some((generation) => generation.previous.get(key) !== undefined);
  }

  /** Every key whose form differs between any two known versions, or from the state. */
  *changedKeys(): IterableIterator<string> {
    const seen = new Set<string>();
    for (const map of [this.since, this.overrides, ...this.generations.map((g) => g.previous)]) {
      for (const key of map.keys()) {
        if (seen.has(key)) continue;
        seen.add(key);
        yield key;
      }
    }
  }

  /**
   * Which known version a peer's file started from. `peer` is the file's records by key.
   * Returns the form each record had in that version.
   */
  judge(peer: ReadonlyMap<string, StoredRecord>, peerWritten = Date.now(), peerBytes = 0): Judgement {
    const n = this.generations.length;
    // Where each key changed: the indexes of the generations (version i-1 -> i is generation i-1).
    const changes = new Map<string, number[]>();
    this.generations.forEach((generation, index) => {
      for (const key of generation.previous.keys()) {
        let list = changes.get(key);
        if (!list) changes.set(key, (list = []));
        list.push(index);
      }
    });
    // Scores by version, as difference arrays over runs of versions. First: how many changed
    // records the peer's file shows in that version's form. Then, to break ties: how many it has
    // in some form where that version has them at all (a record the peer edited existed in what
    // it read, unless it made one of the same name).
    const shown = new Int32Array(n + 2);
    const present = new Int32Array(n + 2);
    // Last, among versions still equal: how many changed records the version has that the
    // peer's file lacks (deletions it would imply). Fewer is the better explanation.
    const implied = new Int32Array(n + 2);
    const credit = (scores: Int32Array, from: number, to: number) => {
      scores[from] = (scores[from] as number) + 1;
      scores[to + 1] = (scores[to + 1] as number) - 1;
    };
    for (const [key, indexes] of changes) {
      const theirs = peer.get(key);
      let form = this.latest(key);
      let newest = n;
      const creditRun = (from: number, to: number) => {
        if (form === undefined) return;
        if (theirs === undefined) credit(implied, from, to);
        else {
          credit(present, from, to);
          if (showsVersion(theirs, form)) credit(shown, from, to);
        }
      };
      for (let j = indexes.length - 1; j >= 0; j -= 1) {
        const generation = indexes[j] as number;
        // Versions generation+1 … newest hold `form`.
        creditRun(generation + 1, newest);
        form = (this.generations[generation] as Generation).previous.get(key);
        newest = generation;
      }
      creditRun(0, newest);
    }
    let best = 0;
    let bestScore: [number, number, number] = [-1, -1, 0];
    const running: [number, number, number] = [0, 0, 0];
    const scores: number[] = [];
    for (let version = 0; version <= n; version += 1) {
      running[0] += shown[version] as number;
      running[1] += present[version] as number;
      running[2] += implied[version] as number;
      scores.push(running[0]);
      // Strictly better only: among equals the oldest stays chosen.
      if (betterExplanation(running, bestScore)) {
        bestScore = [...running];
        best = version;
      }
    }
    return new Judgement(this, best, n - best, scores, changes, this.trimmed && best === 0, peerWritten, raceWindowMs(peerBytes));
  }

  /** The form of `key` in version `version` (0 = the oldest known), from the changes index. */
  formAt(key: string, version: number, changes: ReadonlyMap<string, number[]>): Form {
    const indexes = changes.get(key);
    if (indexes) {
      // The first generation after `version` that changed the key holds its form at `version`.
      for (const generation of indexes) if (generation >= version) return (this.generations[generation] as Generation).previous.get(key);
    }
    return this.latest(key);
  }

  /**
   * True when `key` came into being in `version` (it was not in the version before), and another
   * program made that version. Such a version may combine several that we never saw (one peer's write that
   * another peer read and added to), so a peer that shows the version need not have seen this
   * record.
   */
  madeByPeerAt(key: string, version: number, changes: ReadonlyMap<string, number[]>): Generation | undefined {
    const indexes = changes.get(key);
    if (!indexes || version === 0 || !indexes.includes(version - 1)) return undefined;
    const generation = this.generations[version - 1] as Generation;
    // Made there, not changed: a record the version only changed was in every version a peer
    // could have read before it (in another form), so a peer's file that lacks it deleted it.
    return generation.maker === 'peer' && generation.previous.get(key) === undefined ? generation : undefined;
  }

  /**
   * A record a peer's version lacked while we kept it (a deletion taken for a lost race), put
   * back by our next version as it was and unchanged since: those are the last two versions
   * that changed it. Its form, and the version of ours that put it back; undefined otherwise.
   */
  putBackAfterPeerLacked(key: string, changes: ReadonlyMap<string, number[]>): { form: StoredRecord; putBack: Generation } | undefined {
    const indexes = changes.get(key);
    if (!indexes || indexes.length < 2) return undefined;
    const putBack = this.generations[indexes[indexes.length - 1] as number] as Generation;
    const lacked = this.generations[indexes[indexes.length - 2] as number] as Generation;
    if (putBack.maker !== 'ours' || lacked.maker !== 'peer') return undefined;
    // Present before the peer's version, absent in it (the form before ours put it back), and
    // the newest version holds it as it was.
    const form = lacked.previous.get(key);
    if (form === undefined || putBack.previous.get(key) !== undefined || !sameForm(form, this.latest(key))) return undefined;
    return { form, putBack };
  }

  /** The version in which a record took its newest form, if another program made it after `version`. */
  peerVersionThatAdded(key: string, version: number, changes: ReadonlyMap<string, number[]>): Generation | undefined {
    const indexes = changes.get(key);
    const last = indexes?.[indexes.length - 1];
    if (last === undefined || last < version || this.latest(key) === undefined) return undefined;
    const generation = this.generations[last] as Generation;
    return generation.maker === 'peer' ? generation : undefined;
  }
}

export class Judgement {
  constructor(
    private readonly versions: FileVersions,
    /** The version chosen (0 = the oldest known). */
    readonly version: number,
    /** How many versions newer than the chosen one the peer had not seen. */
    readonly behind: number,
    /** Score of every version: how many changed records the peer's file shows in its form. */
    readonly scores: readonly number[],
    private readonly changes: ReadonlyMap<string, number[]>,
    /** The peer may have started from a version older than any remembered. */
    readonly olderThanKnown: boolean,
    /** When the peer's file was written (ms since the epoch). */
    private readonly peerWritten: number,
    /** How long two writers' read-and-write of this file may overlap (raceWindowMs). */
    private readonly raceWindow: number,
  ) {}

  /** The form of a record in the version the peer started from. */
  base(key: string): Form {
    return this.versions.formAt(key, this.version, this.changes);
  }

  /**
   * The record came into the base with the base itself, a version another program made, and
   * the peer's file was written soon enough after it that the two writers may have raced: that
   * version may combine writes we never saw, so the peer need not have seen this record.
   */
  cameWithRacingPeerBase(key: string): boolean {
    const made = this.versions.madeByPeerAt(key, this.version, this.changes);
    return made !== undefined && this.peerWritten - made.time <= this.raceWindow;
  }

  /**
   * A record the peer's file lacks again: an earlier peer's version lacked it, we kept it (taken
   * for a lost race) and our next rewrite put it back as it was, and that rewrite stood on disk
   * longer than the race window before the peer's file was written, so the peer read it there
   * and deleted it. Its form then (the merge deletes it only if it is still so); otherwise
   * undefined. Without this, each repeat of the deletion was judged as the first (the peer's
   * earlier version explains its file as well as our rewrite does, and is older) and kept the
   * record again: a person could never delete it through an assistant.
   */
  deletionRepeated(key: string): StoredRecord | undefined {
    const kept = this.versions.putBackAfterPeerLacked(key, this.changes);
    return kept !== undefined && this.peerWritten - kept.putBack.time > this.raceWindow ? kept.form : undefined;
  }

  /**
   * The record is not in the base, but another program's version added it, and it stayed on
   * disk (unchanged) long enough before the peer's file was written that no writer of this
   * file could still have been working from an older one: the peer saw it, and deleted it.
   * (Only for records another program added: ours stay unless the peer shows it saw them.)
   */
  addedByPeerLongBefore(key: string): boolean {
    const added = this.versions.peerVersionThatAdded(key, this.version, this.changes);
    return added !== undefined && this.peerWritten - added.time > this.raceWindow;
  }
}

/**
 * How long after one version of the file another writer's version may still have been started
 * from the one before: a peer's read, change and write of the whole file. Peers take a few ms
 * on a small file, but far longer on a busy machine (two cores shared by the app, two servers,
 * a spiral-style writer and a test suite stretched them past a second here), so ten seconds,
 * growing with the size. Within it, a record another program just added and a peer's file
 * lacks is kept unless the file shows the peer read it (a wrongly kept record costs one more
 * delete; a wrongly dropped one is lost).
 */
export function raceWindowMs(bytes: number): number {
  return 10_000 + Math.ceil((bytes / (1024 * 1024)) * 100);
}

/** [shown, present, implied deletions]: more shown, then more present, then fewer implied. */
function betterExplanation(a: readonly [number, number, number], b: readonly [number, number, number]): boolean {
  if (a[0] !== b[0]) return a[0] > b[0];
  if (a[1] !== b[1]) return a[1] > b[1];
  return a[2] < b[2];
}

export function sameForm(a: Form, b: Form): boolean {
  return a === b || (a !== undefined && b !== undefined && a.raw === b.raw);
}

/** The keys of a map that is never changed again, each with no previous form: a version that made them all. */
class KeysWithoutForm implements ReadonlyMap<string, Form> {
  constructor(private readonly keysOf: ReadonlyMap<string, unknown>) {}
  get size(): number {
    return this.keysOf.size;
  }
  has(key: string): boolean {
    return this.keysOf.has(key);
  }
  get(): Form {
    return undefined;
  }
  keys(): MapIterator<string> {
    return this.keysOf.keys();
  }
  *values(): MapIterator<Form> {
    for (let i = 0; i < this.keysOf.size; i += 1) yield undefined;
  }
  *entries(): MapIterator<[string, Form]> {
    for (const key of this.keysOf.keys()) yield [key, undefined];
  }
  [Symbol.iterator](): MapIterator<[string, Form]> {
    return this.entries();
  }
  forEach(visit: (value: Form, key: string, map: ReadonlyMap<string, Form>) => void): void {
    for (const key of this.keysOf.keys()) visit(undefined, key, this);
  }
}
