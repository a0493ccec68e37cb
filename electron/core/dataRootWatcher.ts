// Live updates: notices when another process (an MCP server, the CLI) changes a context file
// or a journal, refreshes that context under the lock, and reports what changed.
// chokidar's events are only hints (a burst can end without a final event, and a rename over
// a file can be reported as unlink+add or not at all), so an event only schedules a refresh,
// the refresh always reads on from the last known journal offset and re-checks the file, and
// a slow poll catches whatever no event announced.
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Engine } from './engine.ts';
import { contextOfFileName, rootPaths } from './dataRoot.ts';
import { VersionObserver } from './versionObserver.ts';

export interface ContextChange {
  readonly context: string;
  /** The journal head after the refresh. */
  readonly seq: number;
  /** Findings the refresh added (an external change absorbed, damage found). */
  readonly findings: readonly string[];
  /**
   * Whether another program made the change: its journal lines were taken in, or the refresh
   * found something (a peer's version absorbed, damage). False for this process's own commits
   * and rewrites, which move the journal head too.
   */
  readonly byAnother: boolean;
}

export interface WatcherOptions {
  /** Quiet time after the last event before refreshing. */
  readonly debounceMs?: number;
  /** Interval of the safety poll that catches changes no event announced. */
  readonly pollMs?: number;
}

export class DataRootWatcher {
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<string>();
  private readonly seen = new Map<string, { seq: number; findings: number; othersReads: number }>();
  private running: Promise<void> = Promise.resolve();
  private started = false;
  private observer: VersionObserver | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly onChange: (change: ContextChange) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly options: WatcherOptions = {},
  ) {}

  async start(): Promise<void> {
    // Each version another program writes is read at once, before the next writer replaces it.
    this.observer = new VersionObserver(this.engine.layout, (context, version) => {
      this.engine.observedVersion(context, version);
      this.dirty.add(context);
      this.schedule(0);
    });
    this.observer.start();
    this.engine.versionObserver = this.observer;
    const { history } = rootPaths(this.engine.layout);
    const root = this.engine.layout.root;
    this.watcher = chokidar.watch([root, history], {
      depth: 0,
      ignoreInitial: true,
      ignored: (file: string) => {
        const base = path.basename(file);
        return file !== root && file !== history && !base.endsWith('.jsonl');
      },
    });
    this.watcher.on('all', (_event, file) => this.hint(file));
    this.watcher.on('error', (error) => this.onError(error));
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
    for (const context of this.engine.listContextNames()) this.dirty.add(context);
    await this.refreshDirty();
    this.started = true;
    this.poll = setInterval(() => {
      for (const context of this.engine.listContextNames()) this.dirty.add(context);
      this.schedule(0);
    }, this.options.pollMs ?? 2_000);
    this.poll.unref?.();
  }

  private hint(file: string): void {
    const base = path.basename(file);
    const fileName = base.endsWith('.journal.jsonl') ? `${base.slice(0, -'.journal.jsonl'.length)}.jsonl` : base;
    const context = contextOfFileName(this.engine.layout, fileName);
    if (!context) return;
    this.dirty.add(context);
    this.schedule(this.options.debounceMs ?? 50);
  }

  private schedule(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.refreshDirty());
    }, delay);
    this.timer.unref?.();
  }

  /** Refreshes the contexts hinted at; reports those whose journal head or findings moved. */
  async refreshDirty(): Promise<void> {
    const contexts = [...this.dirty];
    this.dirty.clear();
    for (const context of contexts) {
      try {
        const now = await this.engine.read(context, (_state, store) => ({ seq: store.seq, findings: store.findings.map((f) => f.message), othersReads: store.othersReads }));
        const before = this.seen.get(context);
        this.seen.set(context, { seq: now.seq, findings: now.findings.length, othersReads: now.othersReads });
        if (before && (before.seq !== now.seq || before.findings !== now.findings.length)) {
          const findings = now.findings.slice(before.findings);
          this.onChange({ context, seq: now.seq, findings, byAnother: findings.length > 0 || now.othersReads !== before.othersReads });
        } else if (!before && this.started) {
          // A context made after we started watching: by another process when what we read of it
          // came from disk, by this one when its first lines are our own commits.
          this.onChange({ context, seq: now.seq, findings: now.findings, byAnother: now.othersReads > 0 || now.findings.length > 0 });
        }
      } catch (error) {
        this.onError(error);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.engine.versionObserver === this.observer) this.engine.versionObserver = undefined;
    await this.observer?.stop();
    if (this.poll) clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.running;
  }
}
