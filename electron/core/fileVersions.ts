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
import type { StoredRecord } from './records.ts';
import { showsVersion } from './recordMerge.ts';

/** A record's form in one version of the file; undefined: the version did not have it. */
export type Form = StoredRecord | undefined;

/** Who made a version: our rewrite (all its changes at once), or another program (whose version may combine several we never saw). */
export type VersionMaker = 'ours' | 'peer';

interface Generation {
  /** Journal sequence number of the version this generation made. */
  readonly seq: number;
  readonly maker: VersionMaker;
  /** The form, in the version before, of every record whose form this version changed. */
  readonly previous: ReadonlyMap<string, Form>;
  /** Bytes of the previous forms it holds (for the memory budget). */
  readonly bytes: number;
}

export interface StateView {
  get(key: string): StoredRecord | undefined;
}

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
  close(seq: number, maker: VersionMaker, overrides: ReadonlyMap<string, Form> = new Map()): void {
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
    this.generations.push({ seq, maker, previous, bytes });
    this.bytes += bytes;
    while (this.generations.length > VERSIONS_KEPT || (this.bytes > VERSION_BYTES_KEPT && this.generations.length > 1)) {
      const dropped = this.generations.shift() as Generation;
      this.bytes -= dropped.bytes;
      this.trimmed = true;
    }
  }

  /** Takes over what another instance (a replay of the journal) learned; the state must be the same. */
  adopt(other: FileVersions): void {
    this.generations = other.generations;
    this.since = other.since;
    this.overrides = other.overrides;
    this.bytes = other.bytes;
    this.trimmed = other.trimmed;
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
  judge(peer: ReadonlyMap<string, StoredRecord>): Judgement {
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
    const credit = (scores: Int32Array, from: number, to: number) => {
      scores[from] = (scores[from] as number) + 1;
      scores[to + 1] = (scores[to + 1] as number) - 1;
    };
    for (const [key, indexes] of changes) {
      const theirs = peer.get(key);
      if (theirs === undefined) continue; // a missing record is no evidence: it may be a deletion
      let form = this.latest(key);
      let newest = n;
      const creditRun = (from: number, to: number) => {
        if (form === undefined) return;
        credit(present, from, to);
        if (showsVersion(theirs, form)) credit(shown, from, to);
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
    let bestShown = -1;
    let bestPresent = -1;
    let runningShown = 0;
    let runningPresent = 0;
    const scores: number[] = [];
    for (let version = 0; version <= n; version += 1) {
      runningShown += shown[version] as number;
      runningPresent += present[version] as number;
      scores.push(runningShown);
      // Strictly better only: among equals the oldest stays chosen.
      if (runningShown > bestShown || (runningShown === bestShown && runningPresent > bestPresent)) {
        bestShown = runningShown;
        bestPresent = runningPresent;
        best = version;
      }
    }
    return new Judgement(this, best, n - best, scores, changes, this.trimmed && best === 0);
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
   * True when `key` took the form it has in `version` in that very version, and another program
   * made it. Such a version may combine several that we never saw (one peer's write that
   * another peer read and added to), so a peer that shows the version need not have seen this
   * record.
   */
  madeByPeerAt(key: string, version: number, changes: ReadonlyMap<string, number[]>): boolean {
    const indexes = changes.get(key);
    if (!indexes || version === 0) return false;
    return indexes.includes(version - 1) && (this.generations[version - 1] as Generation).maker === 'peer';
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
  ) {}

  /** The form of a record in the version the peer started from. */
  base(key: string): Form {
    return this.versions.formAt(key, this.version, this.changes);
  }

  /** The record appeared (in its base form) in the chosen version, a peer's (see FileVersions.madeByPeerAt). */
  appearedInPeerVersion(key: string): boolean {
    return this.versions.madeByPeerAt(key, this.version, this.changes);
  }
}

export function sameForm(a: Form, b: Form): boolean {
  return a === b || (a !== undefined && b !== undefined && a.raw === b.raw);
}
