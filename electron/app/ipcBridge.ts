// Main's side of the bridge: one invoke channel that hands (channel, input, sender) to the
// handler table, which checks the sender, the channel and the input before anything runs;
// and the events main pushes to every window.
import { INVOKE_CHANNEL, eventChannel, type EventName, type Events } from '../../shared/contract.ts';
import type { HandlerTable } from '../ipc/handlerTable.ts';
import type { BrowserWindowLike, IpcMainLike } from './electronSurface.ts';
import { senderOf } from './windowRegistry.ts';

export function registerInvokeHandler(ipcMain: IpcMainLike, table: HandlerTable): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel, input) => table.handle(channel as string, input, senderOf(event)));
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/** Sends an event to every open window; returns how many got it. */
export function broadcast<E extends EventName>(windows: readonly BrowserWindowLike[], event: E, payload: Events[E]): number {
  let sent = 0;
  for (const window of windows) {
    if (window.isDestroyed() || window.webContents.isDestroyed()) continue;
    window.webContents.send(eventChannel(event), payload);
    sent += 1;
  }
  return sent;
}
