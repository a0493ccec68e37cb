// What can still be read in a damaged line, as SQLite's `.recover` puts what it can read of a
// broken page into lost_and_found rather than dropping it: the record's name (or a relation's
// ends and type), its entity type, every observation whose text is whole, the start of one cut
// short, its metadata if that part is whole. A record nothing else holds (no journal entry, no
// backup) is then at least shown to the person, and kept in .recovery/ (recover.ts).

// The shape is the contract's (shared/backupTypes.ts), shown as it is in the recovery wizard.
import type { SalvagedRecord } from '../../shared/backupTypes.ts';
export type { SalvagedRecord };

/** The string value of `"field": "…"` (the first one), decoded; undefined when absent or cut. */
export function stringField(text: string, field: string): string | undefined {
  const match = new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(text);
  if (!match) return undefined;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
}

/** The string literals of the list after `"observations":[`, whole ones and the start of a cut one. */
function observationsOf(text: string): { whole: string[]; cut?: string } {
  const start = /"observations"\s*:\s*\[/.exec(text);
  const whole: string[] = [];
  if (!start) return { whole };
  let i = start.index + start[0].length;
  for (;;) {
    while (i < text.length && /[\s,]/.test(text[i] as string)) i += 1;
    if (i >= text.length || text[i] !== '"') return { whole };
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) {
      // Cut off before its closing quote: keep what is there, undoing the escapes that are whole.
      const partial = text.slice(i + 1).replace(/\\$/, '');
      let cut: string;
      try {
        cut = JSON.parse(`"${partial.replace(/\\u[0-9a-fA-F]{0,3}$/, '')}"`) as string;
      } catch {
        cut = partial;
      }
      return { whole, cut };
    }
    try {
      whole.push(JSON.parse(text.slice(i, j + 1)) as string);
    } catch {
      return { whole };
    }
    i = j + 1;
  }
}

/** `"metadata": {…}` when that object is whole. */
function metadataOf(text: string): Record<string, unknown> | undefined {
  const start = /"metadata"\s*:\s*\{/.exec(text);
  if (!start) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start.index + start[0].length - 1; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) {
        try {
          const value: unknown = JSON.parse(text.slice(start.index + start[0].length - 1, i + 1));
          return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

/** What can be read in a damaged line; undefined when nothing can. */
export function salvageLine(bytes: Uint8Array): SalvagedRecord | undefined {
  // The line's own ending is not part of what it held.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/\r?\n$/, '');
  const from = stringField(text, 'from');
  const to = stringField(text, 'to');
  const relationType = stringField(text, 'relationType');
  const name = stringField(text, 'name');
  const entityType = stringField(text, 'entityType');
  const { whole, cut } = observationsOf(text);
  const metadata = metadataOf(text);
  const kind = from !== undefined && to !== undefined && relationType !== undefined ? 'relation' : name !== undefined ? 'entity' : 'unknown';
  const found = {
    kind,
    ...(name === undefined ? {} : { name }),
    ...(entityType === undefined ? {} : { entityType }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(relationType === undefined ? {} : { relationType }),
    observations: whole,
    ...(cut ? { cutObservation: cut } : {}),
    ...(metadata ? { metadata } : {}),
  } as const;
  return Object.keys(found).length === 2 && whole.length === 0 ? undefined : found;
}
