// The app's own windows, and the one question main asks of every IPC request: did it come
// from one of them? Both must hold: the sender's webContents id is one of our windows' (a
// window we did not create, or one already closed, is a stranger), and the frame that sent
// it shows a page of the app's own origin (a frame that somehow got elsewhere is refused).
import { isAppUrl } from './appScheme.ts';
import type { BrowserWindowLike, InvokeEventLike } from './electronSurface.ts';
import type { SenderInfo } from '../ipc/handlerTable.ts';

export class WindowRegistry<W extends BrowserWindowLike = BrowserWindowLike> {
  private readonly open = new Map<number, W>();

  /** Records a window until it is closed. */
  add(window: W): W {
    const id = window.webContents.id;
    this.open.set(id, window);
    window.once('closed', () => this.open.delete(id));
    return window;
  }

  /** Open windows, oldest first. */
  windows(): W[] {
    return [...this.open.values()].filter((window) => !window.isDestroyed());
  }

  readonly isOwnSender = (sender: SenderInfo): boolean => this.open.has(sender.id) && isAppUrl(sender.url);
}

/** Who sent an invoke: the webContents id and the URL of the sending frame ('' once it is gone). */
export function senderOf(event: InvokeEventLike): SenderInfo {
  return { id: event.sender.id, url: event.senderFrame?.url ?? '' };
}
