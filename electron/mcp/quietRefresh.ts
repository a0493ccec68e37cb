// While an assistant is connected but quiet, a peer may rewrite a context file from a version
// that predates our last change, dropping records of ours (a lost race, PEERS.md). Nothing is
// lost (the journal has them, and the next call merges the peer's version), but the peer and the
// person would not see them in the file meanwhile. So every few seconds each context this session
// has used is refreshed: a stat when nothing changed; otherwise the peer's version is merged and
// the file rewritten with what it dropped. (The app's watcher does more, and costs more: it reads
// every version a peer writes; several assistants' servers doing that at once crowd the lock.)
import type { Engine } from '../core/engine.ts';

export class QuietRefresh {
  private readonly contexts = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 2_000,
  ) {}

  /** A context a tool call worked in: refreshed from now on. */
  use(context: string): void {
    this.contexts.add(context);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.refreshAll());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private async refreshAll(): Promise<void> {
    for (const context of this.contexts) {
      try {
        await this.engine.read(context, () => undefined);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
