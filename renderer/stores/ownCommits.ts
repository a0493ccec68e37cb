// The commits this window made, by context: the journal sequence number each of its writes
// answered with (its edits and its undos). An undo that removes a whole chart asks the journal
// who changed each part since: a commit not listed here was someone else's (another program, a
// repair), or one whose answer never came back, and either way the removal would take it away.
export interface OwnCommits {
  /** Notes the commit a write of this window answered with (seq 0: nothing was written). */
  note(context: string, seq: number | undefined): void;
  has(context: string, seq: number): boolean;
}

export function createOwnCommits(): OwnCommits {
  const byContext = new Map<string, Set<number>>();
  return {
    note(context, seq) {
      if (!seq) return;
      let seqs = byContext.get(context);
      if (!seqs) byContext.set(context, (seqs = new Set()));
      seqs.add(seq);
    },
    has: (context, seq) => byContext.get(context)?.has(seq) ?? false,
  };
}
