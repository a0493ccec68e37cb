// The intent log: how a change spanning several contexts (a chart moved from one to another)
// commits all or nothing although each context has its own journal. The whole change is
// written here first; once that line is durable the change is decided. Each context's part is
// then committed under the operation id `<intent>:<context>`, and a `done` line closes it.
// Whoever next holds the lock finishes any intent left open by a crash, exactly once.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { makeDirectoryDurably, syncDirectory } from './fileSystem.ts';
import { encodeChangeText, openSealedLine, sealLine, type Change } from './journalFormat.ts';
import { appendDurably, cutJournal } from './journalFile.ts';
import { splitLines } from './lineSplitter.ts';
import { recordOfChange } from './journalChanges.ts';
import { identityOf, type StoredRecord } from './records.ts';
import type { ContextStore, PendingChanges } from './contextStore.ts';
import { encodeRecordChange, type CommitMeta } from './commitLines.ts';
import { statIdentity } from './contextFile.ts';

export interface Intent {
  readonly id: string;
  readonly parts: Record<string, PendingChanges>;
  readonly meta: CommitMeta;
}

type StoreOf = (context: string) => ContextStore;

export class IntentLog {
  constructor(
    private readonly fsys: FileSystem,
    readonly file: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Writes the whole change durably; from here on it will happen. */
  begin(parts: Record<string, PendingChanges>, meta: CommitMeta, storeOf: StoreOf): Intent {
    const id = randomUUID();
    const encodedParts: string[] = [];
    for (const [context, changes] of Object.entries(parts)) {
      const state = storeOf(context).state;
      const encoded: string[] = changes.puts.map((record) => encodeChangeText(encodeRecordChange(record)));
      for (const key of changes.deletes) {
        const record = state.get(key);
        if (record) encoded.push(JSON.stringify({ del: identityOf(record) }));
      }
      encodedParts.push(`${JSON.stringify(context)}:[${encoded.join(',')}]`);
    }
    const head = JSON.stringify({ kind: 'intent', id, ts: this.clock().toISOString(), meta });
    this.append(sealLine(`${head.slice(0, -1)},"parts":{${encodedParts.join(',')}}}`));
    return { id, parts, meta };
  }

  finish(id: string): void {
    this.append(sealLine(JSON.stringify({ kind: 'done', id, ts: this.clock().toISOString() })));
    // Keep the log short: once nothing in it is open, it is emptied.
    if (this.read().open.length === 0) cutJournal(this.fsys, this.file, 0);
  }

  /** Intents whose `done` line is missing, as written (for readers that only look). */
  unfinishedRaw(): { id: string; opBase: string; parts: Record<string, Change[]> }[] {
    return this.read().open.map((entry) => ({ id: entry.id, opBase: entry.meta?.op ?? entry.id, parts: entry.parts }));
  }

  decode(changes: Change[]): PendingChanges {
    const puts: StoredRecord[] = [];
    const deletes: string[] = [];
    for (const change of changes) {
      const effect = recordOfChange(change);
      if ('put' in effect) puts.push(effect.put);
      else deletes.push(effect.del);
    }
    return { puts, deletes };
  }

  /** Intents whose `done` line is missing, decoded against the current stores. */
  unfinished(storeOf: StoreOf): Intent[] {
    const { open } = this.read();
    return open.map((entry) => {
      const parts: Record<string, PendingChanges> = {};
      for (const [context, changes] of Object.entries(entry.parts)) {
        storeOf(context);
        parts[context] = this.decode(changes);
      }
      return { id: entry.id, parts, meta: entry.meta };
    });
  }

  hasOpenIntents(): boolean {
    const size = statIdentity(this.fsys, this.file)?.size ?? 0;
    return size > 0 && this.read().open.length > 0;
  }

  private read(): { open: { id: string; meta: CommitMeta; parts: Record<string, Change[]> }[] } {
    let bytes: Buffer;
    try {
      bytes = this.fsys.readFileSync(this.file);
    } catch {
      return { open: [] };
    }
    const begun = new Map<string, { id: string; meta: CommitMeta; parts: Record<string, Change[]> }>();
    for (const line of splitLines(bytes)) {
      if (!line.terminated) break; // torn: that intent never became durable, so it never happened
      const opened = openSealedLine(line.text);
      if (!opened.ok) continue;
      const value = opened.value;
      if (value.kind === 'intent' && typeof value.id === 'string') {
        begun.set(value.id, { id: value.id, meta: value.meta as CommitMeta, parts: value.parts as Record<string, Change[]> });
      } else if (value.kind === 'done' && typeof value.id === 'string') {
        begun.delete(value.id);
      }
    }
    return { open: [...begun.values()] };
  }

  private append(line: string): void {
    makeDirectoryDurably(this.fsys, path.dirname(this.file));
    const existed = statIdentity(this.fsys, this.file);
    if (!existed) {
      // The file is made durable before any intent goes in: once an intent line is written and
      // synced, nothing else can fail that would make it "not happened".
      this.fsys.closeSync(this.fsys.openSync(this.file, 'a'));
      syncDirectory(this.fsys, path.dirname(this.file));
    }
    let end = existed?.size ?? 0;
    if (end > 0) {
      // A torn last line (a crash mid-append) is cut off so the new line starts clean.
      const bytes = this.fsys.readFileSync(this.file);
      const complete = bytes.lastIndexOf(10) + 1;
      if (complete < bytes.length) cutJournal(this.fsys, this.file, complete);
      end = complete;
    }
    appendDurably(this.fsys, this.file, line, end);
  }
}
