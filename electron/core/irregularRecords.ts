// Which of a context's records the quick reading would misread (readsIrregularly), remembered
// from one rewrite to the next. A record quickRecord made is known to read right; any other
// (from a full parse of a peer's file, a journal replay, a change) must be checked, and a record
// object cannot be marked once checked. Without this, every rewrite of a process whose records
// came from a full parse checked all of them again: 457-522 ms at 100k charts, each time.
//
// So the last rewrite's check is kept: the records it found irregular, and every record the state
// took in since (its change listener). The next check looks only at those taken in since; the
// rest read as they did. Anything that replaces the state wholesale or reorders it starts over.
import { QuickRecord, readsIrregularly, type StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';

export class IrregularRecords {
  /** True after a check of every record of the state; false again when the state is replaced. */
  private complete = false;
  private irregular = new Set<StoredRecord>();
  /** Records the state took in since that check (set by a change): not checked yet. */
  private readonly since = new Set<StoredRecord>();

  constructor(state: RecordSet) {
    state.listen(
      (_before, after) => {
        if (this.complete && after && !(after instanceof QuickRecord)) this.since.add(after);
      },
      () => this.startOver(),
    );
  }

  /** readsIrregularly(record), for a record of the state, from the last check where it can be. */
  reads(record: StoredRecord): boolean {
    if (record instanceof QuickRecord) return false;
    if (this.complete && !this.since.has(record)) return this.irregular.has(record);
    return readsIrregularly(record);
  }

  /** A check has just gone over every record of the state (in one synchronous pass): these were irregular. */
  checkedAll(irregular: readonly StoredRecord[]): void {
    this.irregular = new Set(irregular);
    this.since.clear();
    this.complete = true;
  }

  private startOver(): void {
    this.complete = false;
    this.irregular.clear();
    this.since.clear();
  }
}
