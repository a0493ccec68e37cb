// The records a damaged journal entry named, read from what is left of its line: the repair
// looks for them in the context file and the backups, and the recovery wizard shows them.
import { entityKey, relationKey } from './records.ts';
import { keyOfChange } from './journalChanges.ts';
import { stringField } from './damagedLineSalvage.ts';
import type { Change } from './journalFormat.ts';

/** The records a damaged journal entry named: its changes if the line still parses, else the names readable in it. */
export function keysOfJournalLine(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  try {
    const value = JSON.parse(text) as { changes?: unknown };
    if (Array.isArray(value.changes)) return [...new Set((value.changes as Change[]).flatMap((change) => {
      try {
        return [keyOfChange(change)];
      } catch {
        return [];
      }
    }))];
  } catch {
    // not JSON any more: read the names that are still whole
  }
  const keys = new Set<string>();
  for (const match of text.matchAll(/"(?:set|del|splice)"\s*:\s*(\{[^{}]*|\[[^\]]*\])/g)) {
    const part = match[1] as string;
    const name = stringField(part, 'name');
    const from = stringField(part, 'from');
    const to = stringField(part, 'to');
    const type = stringField(part, 'relationType');
    if (from !== undefined && to !== undefined && type !== undefined) keys.add(relationKey(from, to, type));
    else if (name !== undefined) keys.add(entityKey(name));
    else {
      const identity = /^\["entity","((?:[^"\\]|\\.)*)"/.exec(part);
      const named = identity ? decodedString(identity[1] as string) : undefined;
      if (named !== undefined) keys.add(entityKey(named));
    }
  }
  return [...keys];
}

/**
 * A JSON string's text decoded; undefined when the damage left it undecodable (a control
 * character flipped into it made the whole read of the context fail, found by the long torture).
 */
function decodedString(text: string): string | undefined {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return undefined;
  }
}
