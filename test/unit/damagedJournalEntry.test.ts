// The records a damaged journal entry named, read from what is left of its line
// (damagedJournalEntry.ts). Found by the long torture (npm run torture, flipped bytes in the
// journal): a control character flipped into a deleted entity's name made the salvage throw,
// and every read of the context failed with "Bad control character in string literal".
import { describe, expect, it } from 'vitest';
import { keysOfJournalLine } from '../../electron/core/damagedJournalEntry.ts';
import { entityKey } from '../../electron/core/records.ts';

describe('the records a damaged journal entry named', () => {
  it('reads the names still whole, and skips one the damage left undecodable instead of throwing', () => {
    // Not JSON any more (the checksum part cut), two deletions: one name whole, one with a control character in it.
    const line = Buffer.from('{"kind":"commit","seq":4,"changes":[{"del":["entity","step_1"]},{"del":["entity","st\u0001ep_2"]}],"crc":"00');
    expect(keysOfJournalLine(line)).toEqual([entityKey('step_1')]);
  });

  it('a line that still parses gives its changes', () => {
    const line = Buffer.from(JSON.stringify({ kind: 'commit', seq: 4, changes: [{ del: ['entity', 'step_1'] }, { set: { type: 'entity', name: 'step_3', entityType: 'note', observations: [] } }] }));
    expect(keysOfJournalLine(line).sort()).toEqual([entityKey('step_1'), entityKey('step_3')].sort());
  });
});
