// While the app runs, every version of a context file that another program writes is read the
// moment it appears, and handed to the engine to journal. Peers rewrite whole files without a
// lock: when two of them race, each one's write replaces the other's, and a version nobody read
// is gone. A version we read in time is a version a later writer may have missed: its records
// are then kept (fileVersions.ts judges the later writer's file as a lost race), where two peers
// alone lose about half their writes.
//
// Reading needs no lock (only journaling does). It runs in a worker thread of its own, so that
// a busy main process (absorbing the previous version, answering the window) does not delay it:
// a version may live only milliseconds before the next writer's replaces it. The worker's code
// is one self-contained function, run with `eval`, so it needs no separate bundle or loader.
// Files above a size limit are left to the regular refresh (reading each version would cost
// too much).
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { contextOfFileName, type DataLayout } from './dataRoot.ts';
import { EMPTY_SETTLE_MS, PAGE_BYTES, type FileIdentity } from './contextFile.ts';

/** A version of a context file as read. */
export interface ObservedVersion {
  readonly bytes: Buffer;
  readonly identity: FileIdentity;
}

/** Files larger than this are left to the regular refresh. */
const LARGEST_OBSERVED = 32 * 1024 * 1024;

interface VersionMessage {
  name: string;
  bytes: Uint8Array;
  size: number;
  crc: string;
  ino: string;
  mtimeNs: string;
  ctimeNs: string;
}

/** Longest the main thread waits for a read in progress before taking the reports so far. */
const CATCH_UP_MS = 20;

export class VersionObserver {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** Set to 1 by the worker while it reads a version it has not yet reported. */
  private busy: Int32Array | undefined;

  constructor(
    private readonly layout: DataLayout,
    private readonly onVersion: (context: string, version: ObservedVersion) => void,
  ) {}

  start(): void {
    try {
      // `__name`: the helper a TypeScript loader may wrap named functions in (tsx keeps names).
      const source = `var __name = (target) => target;\n(${observeInWorker.toString()})();`;
      const { port1, port2 } = new MessageChannel();
      const busy = new SharedArrayBuffer(4);
      this.worker = new Worker(source, { eval: true, workerData: { root: this.layout.root, largest: LARGEST_OBSERVED, emptySettleMs: EMPTY_SETTLE_MS, pageBytes: PAGE_BYTES, port: port2, busy }, transferList: [port2] });
      this.port = port1;
      this.busy = new Int32Array(busy);
    } catch {
      return; // no worker threads here: the regular refresh remains
    }
    this.worker.unref();
    this.port.on('message', (message: VersionMessage) => this.deliver(message));
    this.port.unref();
    // A watcher that fails (a file system without notifications) leaves the regular refresh.
    this.worker.on('error', () => undefined);
  }

  /**
   * Takes every version the worker has read so far, at once (the worker's report may still be
   * on its way when the main thread is about to read the file itself: a version reported after
   * a newer one was taken in could no longer be judged in its place). Waits briefly for a read
   * in progress.
   */
  catchUp(): void {
    const port = this.port;
    if (!port || !this.busy) return;
    const until = Date.now() + CATCH_UP_MS;
    while (Atomics.load(this.busy, 0) === 1 && Date.now() < until) Atomics.wait(this.busy, 0, 1, 2);
    for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) this.deliver(received.message as VersionMessage);
  }

  private deliver(message: VersionMessage): void {
    const context = contextOfFileName(this.layout, message.name);
    if (context === undefined) return;
    const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
    this.onVersion(context, { bytes, identity: { size: message.size, crc: message.crc, ino: BigInt(message.ino), mtimeNs: BigInt(message.mtimeNs), ctimeNs: BigInt(message.ctimeNs) } });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    await worker?.terminate();
  }
}

/**
 * The worker: watches the data folder and reads each `.jsonl` file as soon as it changes and
 * has settled (the same size and times before and after the read; a just-modified file that is
 * empty, ends in a cut line or is a whole number of pages may be a peer mid-way through writing
 * it in place, read again a moment later). Posts each new version. Self-contained: it runs from its source text.
 */
function observeInWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const zlib = require('node:zlib') as typeof import('node:zlib');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { root, largest, emptySettleMs, pageBytes, port, busy: shared } = workerData as { root: string; largest: number; emptySettleMs: number; pageBytes: number; port: import('node:worker_threads').MessagePort; busy: SharedArrayBuffer };
  const busy = new Int32Array(shared);
  const lastSeen = new Map<string, string>();
  const retrying = new Set<string>();

  const endsCleanly = (bytes: Buffer): boolean => {
    if (bytes.length === 0) return false;
    if (bytes[bytes.length - 1] === 10) return true;
    const last = bytes.toString('utf8', bytes.lastIndexOf(10) + 1).trim();
    if (last.startsWith('#')) return true;
    try {
      JSON.parse(last);
      return true;
    } catch {
      return false;
    }
  };

  const look = (name: string): void => {
    Atomics.store(busy, 0, 1);
    try {
      read(name);
    } finally {
      Atomics.store(busy, 0, retrying.size > 0 ? 1 : 0);
      Atomics.notify(busy, 0);
    }
  };

  const read = (name: string): void => {
    const file = path.join(root, name);
    let bytes: Buffer;
    let after: import('node:fs').BigIntStats;
    try {
      const before = fs.statSync(file, { bigint: true });
      if (before.size > BigInt(largest)) return;
      bytes = fs.readFileSync(file);
      after = fs.statSync(file, { bigint: true });
      const steady = after.ino === before.ino && after.size === before.size && after.mtimeNs === before.mtimeNs && Number(after.size) === bytes.length;
      const age = Date.now() - Number(after.mtimeNs / 1_000_000n);
      const fresh = age < 200;
      // An emptied file is a peer between its truncation and its write for longer (a busy
      // machine stretches that gap past 200 ms): not a version to hand over, looked at again.
      const emptied = bytes.length === 0 && age < emptySettleMs;
      // A whole number of pages, just written: maybe a peer mid-write whose cut ends at a line's
      // end (contextFile.ts endsOnPageBoundary); looked at again until it is no longer fresh.
      const onPage = bytes.length > 0 && bytes.length % pageBytes === 0;
      if (!steady || (fresh && (!endsCleanly(bytes) || onPage)) || emptied) {
        if (!retrying.has(name)) {
          retrying.add(name);
          setTimeout(
            () => {
              retrying.delete(name);
              look(name);
            },
            emptied && !fresh ? 50 : 5,
          );
        }
        return;
      }
    } catch {
      return; // gone (renamed away) or unreadable: nothing to hand over
    }
    const crc = zlib.crc32(bytes).toString(16).padStart(8, '0');
    const id = `${bytes.length}:${crc}`;
    if (lastSeen.get(name) === id) return;
    lastSeen.set(name, id);
    // A copy with a buffer of its own, handed over without another copy.
    const owned = new Uint8Array(bytes);
    const message = { name, bytes: owned, size: bytes.length, crc, ino: String(after.ino), mtimeNs: String(after.mtimeNs), ctimeNs: String(after.ctimeNs) };
    port.postMessage(message, [owned.buffer]);
  };

  fs.watch(root, (_event, name) => {
    if (typeof name === 'string' && name.endsWith('.jsonl') && !name.startsWith('.')) look(name);
  });
}
