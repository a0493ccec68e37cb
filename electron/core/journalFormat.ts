// The journal's line format (docs/FORMAT.md, "Journal"). Each line is one JSON object that
// ends in a checksum field: `{…,"crc":"xxxxxxxx"}`. The checksum is CRC-32 (zlib.crc32) of
// the line's bytes with that field removed, i.e. of `{…}`. Writer and reader live side by side
// so they stay symmetric.
import zlib from 'node:zlib';
import type { RecordIdentity } from './records.ts';

/**
 * Current journal format. 0 = a journal without a header line; 1 = no `splice` changes. Older
 * journals are upgraded on open by a writer (journalUpgrade.ts).
 */
export const JOURNAL_FORMAT = 2;

export type Origin = 'app' | 'cli' | 'mcp' | 'external' | 'import' | 'recover' | 'restore' | 'upgrade';

/** One change inside a commit. `set`: the record is JSON.stringify(set). `line`: the record's exact text. */
export type Change =
  | { set: Record<string, unknown>; line?: undefined; del?: undefined; splice?: undefined }
  | { line: string; n?: number; opaque?: true; set?: undefined; del?: undefined; splice?: undefined }
  | { del: RecordIdentity; set?: undefined; line?: undefined; splice?: undefined }
  /** The record's line is edited in place: `cut` bytes at byte `at` replaced by `text`; `crc` is the new line's (recordSplice.ts). */
  | { splice: RecordIdentity; at: number; cut: number; text: string; crc: string; set?: undefined; line?: undefined; del?: undefined };

export interface JournalHeader {
  kind: 'header';
  format: number;
  context: string;
  created: string;
}

export interface JournalCommit {
  kind: 'commit';
  seq: number;
  ts: string;
  tx: string;
  origin: Origin;
  /** Operation id: a retried operation with the same id applies once. */
  op?: string;
  /** What the operation id was given for (operationIntent.ts): the same id for another change is refused. */
  opFor?: string;
  /** Set when the commit is one part of a transaction across contexts (a move). */
  intent?: string;
  /** Free text shown in history ("peer rewrite absorbed", "restored from backup …"). */
  note?: string;
  changes: Change[];
  /**
   * Line order, when it differs from what the changes give (a peer wrote lines in another
   * order): each [record, after] puts the record right after `after` (null: first line).
   */
  order?: [RecordIdentity, RecordIdentity | null][];
  /**
   * Present when the commit absorbs another program's version of the context file: after it the
   * file was that version, which differed from the state only in these records (`del`: the file
   * lacked it; a record: the file held it in this form). It is a version a later writer may
   * have started from (fileVersions.ts).
   */
  fileDiffers?: Change[];
  /** With fileDiffers: when that version of the file was written (its mtime, ISO-8601). */
  fileWritten?: string;
  /** For a commit written as several lines: this line's number (1-based) and how many there are. */
  part?: number;
  parts?: number;
}

/** Written after the context file was rewritten: the file now holds everything up to `seq`. */
export interface JournalSnapshot {
  kind: 'snapshot';
  seq: number;
  ts: string;
  /** Size and CRC-32 of the context file as written. */
  fileSize: number;
  fileCrc: string;
  /**
   * The file's inode, mtime and ctime (ns, as decimal strings) just after it went into place: a
   * process catching up on this line knows the file by one stat while they still match, instead
   * of reading it whole to check its CRC (seconds at 100k charts). Absent in older journals.
   */
  fileIno?: string;
  fileMtimeNs?: string;
  fileCtimeNs?: string;
}

export type JournalEntry = JournalHeader | JournalCommit | JournalSnapshot;

const CRC_SUFFIX = /,"crc":"([0-9a-f]{8})"\}\s*$/;

export function crc32Hex(data: string | Uint8Array, initial = 0): string {
  return zlib.crc32(data, initial).toString(16).padStart(8, '0');
}

/** Seals a JSON object text `{…}` with its checksum; returns the line with its newline. */
export function sealLine(body: string): string {
  return `${body.slice(0, -1)},"crc":"${crc32Hex(body)}"}\n`;
}

export type DecodedLine = { ok: true; entry: JournalEntry } | { ok: false; reason: string };

/** Checks a sealed line's checksum and parses it. */
export function openSealedLine(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const match = CRC_SUFFIX.exec(text);
  if (!match) return { ok: false, reason: 'no checksum' };
  const body = `${text.slice(0, match.index)}}`;
  if (crc32Hex(body) !== match[1]) return { ok: false, reason: 'checksum mismatch' };
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
}

export function decodeJournalLine(text: string): DecodedLine {
  const opened = openSealedLine(text);
  if (!opened.ok) return opened;
  const value = opened.value;
  const entry = value as Partial<JournalEntry> & Record<string, unknown>;
  if (entry.kind === 'header' && typeof entry.format === 'number') return { ok: true, entry: entry as JournalHeader };
  if (typeof entry.seq !== 'number' || typeof entry.ts !== 'string') return { ok: false, reason: 'no seq or ts' };
  // Read as a time by the replay (a version's time): a line resealed with another text there failed the whole read.
  if (!Number.isFinite(Date.parse(entry.ts))) return { ok: false, reason: 'ts is not a time' };
  if (entry.kind === 'commit' && Array.isArray(entry.changes) && typeof entry.tx === 'string') {
    // A line can pass its checksum and still hold nonsense (written by a buggy tool and resealed):
    // every change is checked, so replay never meets a shape it cannot apply.
    if (!entry.changes.every(isChange)) return { ok: false, reason: 'a change of unknown shape' };
    if (entry.order !== undefined && !(Array.isArray(entry.order) && entry.order.every(isMove))) return { ok: false, reason: 'an order of unknown shape' };
    if (entry.fileDiffers !== undefined && !(Array.isArray(entry.fileDiffers) && entry.fileDiffers.every(isChange))) return { ok: false, reason: 'fileDiffers of unknown shape' };
    if (entry.fileWritten !== undefined && !(typeof entry.fileWritten === 'string' && Number.isFinite(Date.parse(entry.fileWritten)))) return { ok: false, reason: 'fileWritten is not a time' };
    if (typeof entry.origin !== 'string' || (entry.op !== undefined && typeof entry.op !== 'string') || (entry.opFor !== undefined && typeof entry.opFor !== 'string')) return { ok: false, reason: 'bad origin or op' };
    if ((entry.part !== undefined || entry.parts !== undefined) && !(Number.isInteger(entry.part) && Number.isInteger(entry.parts) && (entry.part as number) >= 1 && (entry.part as number) <= (entry.parts as number))) {
      return { ok: false, reason: 'bad part numbers' };
    }
    return { ok: true, entry: entry as JournalCommit };
  }
  if (entry.kind === 'snapshot' && typeof entry.fileSize === 'number' && typeof entry.fileCrc === 'string') {
    return { ok: true, entry: entry as JournalSnapshot };
  }
  return { ok: false, reason: `unknown entry kind ${JSON.stringify(entry.kind)}` };
}

export function encodeHeader(context: string, created: string, format = JOURNAL_FORMAT): string {
  return sealLine(JSON.stringify({ kind: 'header', format, context, created }));
}

export function encodeSnapshot(snapshot: Omit<JournalSnapshot, 'kind'>): string {
  return sealLine(JSON.stringify({ kind: 'snapshot', ...snapshot }));
}

/**
 * A change as JSON text. A canonical record (its text is what JSON.stringify makes of it, true
 * of everything we write) is embedded as is, without a second stringify; any other text is
 * kept exactly, as a string.
 */
export type EncodedChange = { canonicalRecord: string } | { change: Change };

export function encodeChangeText(change: EncodedChange): string {
  return 'canonicalRecord' in change ? `{"set":${change.canonicalRecord}}` : JSON.stringify(change.change);
}

export function encodeCommit(commit: Omit<JournalCommit, 'kind' | 'changes'>, changes: EncodedChange[]): string {
  return encodeCommitBody(commit, changes.map(encodeChangeText).join(','));
}

/** A commit line from its changes' texts already joined with commas. */
function encodeCommitBody(commit: Omit<JournalCommit, 'kind' | 'changes'>, changes: string): string {
  const head = JSON.stringify({ kind: 'commit', ...commit });
  return sealLine(`${head.slice(0, -1)},"changes":[${changes}]}`);
}

/** Largest journal line a commit is written as; a bigger commit is split into parts. */
export const PART_BYTES = 4 * 1024 * 1024;

/**
 * A commit's change texts gathered into its parts as they come (encodeCommitPartBodies): each part's
 * texts are joined once it is full, so a commit of 1.3M records (a whole file adopted) holds a
 * hundred or so strings, not a string per record until the last one is made.
 */
export class CommitPartBodies {
  private readonly full: string[] = [];
  private group: string[] = [];
  private size = 0;
  private added = 0;

  /** How many texts were added. */
  get count(): number {
    return this.added;
  }

  add(text: string): void {
    this.added += 1;
    // +1 for the comma between changes; the line's head adds a few hundred bytes more.
    if (this.size + text.length + 1 > PART_BYTES && this.group.length > 0) {
      this.full.push(this.group.join(','));
      this.group = [text];
      this.size = text.length + 1;
    } else {
      this.group.push(text);
      this.size += text.length + 1;
    }
  }

  /** Every part's changes, joined, handed over (this keeps none): at least one (a commit of no change has one, empty). */
  takeBodies(): string[] {
    const bodies = [...this.full, this.group.join(',')];
    this.full.length = 0;
    this.group = [];
    this.size = 0;
    return bodies;
  }
}

/**
 * The lines of one commit, its changes gathered into parts (CommitPartBodies). Small commits
 * are one line; a large one (a whole file adopted or imported) is several lines with
 * `part`/`parts` and one `tx`, each under PART_BYTES, so no line approaches the length limit
 * of a string. Readers apply a multi-part commit only when all its parts are there
 * (journalFile.ts), so it stays all or nothing.
 */
export function* encodeCommitPartBodies(commit: Omit<JournalCommit, 'kind' | 'changes' | 'seq'>, firstSeq: number, parts: CommitPartBodies): Generator<string> {
  const bodies = parts.takeBodies();
  if (bodies.length === 1) {
    yield encodeCommitBody({ seq: firstSeq, ...commit }, bodies[0] as string);
    return;
  }
  const { order, fileDiffers, fileWritten, ...rest } = commit;
  for (let i = 0; i < bodies.length; i += 1) {
    const last = i === bodies.length - 1;
    yield encodeCommitBody({ seq: firstSeq + i, ...rest, part: i + 1, parts: bodies.length, ...(last && order ? { order } : {}), ...(last && fileDiffers ? { fileDiffers } : {}), ...(last && fileWritten ? { fileWritten } : {}) }, bodies[i] as string);
    // Each body is let go once its line is made (the caller holds the lines).
    bodies[i] = '';
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isIdentity(v: unknown): v is RecordIdentity {
  if (!Array.isArray(v)) return false;
  if (v[0] === 'entity') return v.length === 2 && typeof v[1] === 'string';
  if (v[0] === 'relation') return v.length === 4 && v.slice(1).every((x) => typeof x === 'string');
  if (v[0] === 'line') return v.length === 3 && typeof v[1] === 'string' && Number.isInteger(v[2]) && (v[2] as number) >= 1;
  return false;
}

function isChange(v: unknown): v is Change {
  if (!isPlainObject(v)) return false;
  if (v.del !== undefined) return isIdentity(v.del);
  if (v.splice !== undefined) {
    return isIdentity(v.splice) && v.splice[0] !== 'line' && Number.isSafeInteger(v.at) && (v.at as number) >= 0 && Number.isSafeInteger(v.cut) && (v.cut as number) >= 0 && typeof v.text === 'string' && typeof v.crc === 'string' && /^[0-9a-f]{8}$/.test(v.crc);
  }
  if (v.set !== undefined) return isPlainObject(v.set);
  return typeof v.line === 'string' && (v.n === undefined || (Number.isInteger(v.n) && (v.n as number) >= 1));
}

function isMove(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && isIdentity(v[0]) && (v[1] === null || isIdentity(v[1]));
}
