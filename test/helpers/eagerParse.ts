// The rule a context file is read by, written as plainly as possible, for tests to hold the
// engine's parse (contextFile.ts: records put in a DeferredRecordMap, repeats found by a hash
// table) against: every line that is not blank is read in full; the first line of an entity or
// relation is its record, and every later line of the same key, like a comment or a line of
// another type, is an opaque line numbered by how often its exact text came before.
// Lines that do not read are left out. Valid UTF-8 without a byte order mark only.
import { asOpaque, classifyLine, makeRecord, type StoredRecord } from '../../electron/core/records.ts';

export function eagerParse(text: string): Map<string, StoredRecord> {
  const map = new Map<string, StoredRecord>();
  const occurrences = new Map<string, number>();
  const opaque = (line: string) => {
    const occurrence = (occurrences.get(line) ?? 0) + 1;
    occurrences.set(line, occurrence);
    return asOpaque(line, occurrence);
  };
  for (const line of text.split('\n')) {
    const verdict = classifyLine(line);
    if (!verdict.ok || verdict.kind === 'blank') continue;
    let record = makeRecord(line, verdict.fields);
    if (record.kind === 'line' || map.has(record.key)) record = opaque(line);
    map.set(record.key, record);
  }
  return map;
}
