// What the killed writer (writerProcess.ts) and the test that kills it agree on.

export interface WriterConfig {
  readonly root: string;
  readonly round: number;
  readonly seed: number;
  /** -1: the context files are rewritten only by explicit flushes. */
  readonly rewriteDelayMs: number;
  /** Flush explicitly after every n commits (0: never). */
  readonly flushEvery: number;
  /** An increment whose fate the last kill left open: retried first, with its operation id. */
  readonly retry?: { readonly context: string; readonly op: string } | undefined;
  /**
   * Every n-th commit (0 or absent: none) is a big one: one record of about 2 MB (the last one
   * removed in the same commit). Its journal append spans hundreds of pages, so a
   * SIGKILL that lands during the write() cuts it short (Linux stops a write between pages for
   * a fatal signal): the way to a torn journal tail.
   */
  readonly bigEvery?: number;
}

export const WRITER_CONTEXTS = ['work', 'default'] as const;
/** The entity every `inc` operation counts up (in context `work`): applied twice, it would show. */
export const COUNTER = 'counter';
export type OpKind = 'put' | 'update' | 'delete' | 'tx' | 'inc' | 'big';

/** Printed from inside the change builder, under the lock, before the journal append. */
export interface TryMessage {
  t: 'try';
  i: number;
  kind: OpKind;
  context: string;
  op?: string;
  puts: [string, string][];
  dels: string[];
}

/** Printed only after transact resolved: the commit is durable. */
export interface AckMessage {
  t: 'ack';
  i: number;
  seq: number;
  duplicate: boolean;
  retry?: string;
}
