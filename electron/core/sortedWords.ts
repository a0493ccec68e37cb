// The words of a search index, kept so that every word starting with a query word is found by
// binary search: in a few sorted runs, the way a log-structured store keeps its keys. A new
// word waits in a short unsorted list; a full list becomes a run, and runs of about the same
// size are merged, up to a size that a merge never takes long for. Sorting every word again
// at each new one (what the index did) cost 40-80 ms at 100,000 charts, paid by the first
// query after the build and after any change that brought a new word (a chart id, a date);
// one list kept whole would need such a merge at the end of the build, in one slice.

/** Waiting words become a run at this many: a query reads them one by one. */
const RUN_START = 1024;
/** Runs are not merged beyond this many words: no merge holds the process for long. */
const RUN_MAX = 32_768;

export class SortedWords {
  /** Sorted runs, oldest (largest) first. */
  private runs: string[][] = [];
  private waiting: string[] = [];

  /** Adds a word the list does not hold yet (the caller knows: its id list is new). */
  add(word: string): void {
    this.waiting.push(word);
    if (this.waiting.length >= RUN_START) this.settle();
  }

  /** Makes the waiting words a run (the end of a build: the queries that follow read none one by one). */
  settle(): void {
    if (this.waiting.length === 0) return;
    // Default sort compares UTF-16 code units, as `<` does (the binary search below).
    this.runs.push(this.waiting.sort());
    this.waiting = [];
    // Like a binary counter: the newest run merges into the one before while they are alike in size.
    for (;;) {
      const last = this.runs[this.runs.length - 1] as string[];
      const before = this.runs[this.runs.length - 2];
      if (!before || before.length > 2 * last.length || before.length + last.length > RUN_MAX) return;
      this.runs.splice(this.runs.length - 2, 2, merge(before, last));
    }
  }

  /** Every word that starts with `prefix`: the word itself first when it is one, the others in no set order. */
  startingWith(prefix: string): string[] {
    const found: string[] = [];
    for (const run of this.runs) {
      for (let i = lowerBound(run, prefix); i < run.length && (run[i] as string).startsWith(prefix); i += 1) {
        const word = run[i] as string;
        if (word === prefix) found.unshift(word);
        else found.push(word);
      }
    }
    for (const word of this.waiting) {
      if (!word.startsWith(prefix)) continue;
      if (word === prefix) found.unshift(word);
      else found.push(word);
    }
    return found;
  }
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  const merged = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = (a[i] as string) < (b[j] as string) ? (a[i++] as string) : (b[j++] as string);
  while (i < a.length) merged[k++] = a[i++] as string;
  while (j < b.length) merged[k++] = b[j++] as string;
  return merged;
}

function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
