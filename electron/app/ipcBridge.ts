// Main's side of the bridge: one invoke channel. The sender is checked here, where the windows
// are known; only a request from one of the app's own windows is handed to the engine's
// services (in the app, across to their worker thread), which check the channel and the input
// before anything runs. And the events main pushes to every window.
// The wire names without their schemas: zod stays out of the main thread's bundle.
import { ANSWER_PART_CHANNEL, INVOKE_CHANNEL, eventChannel } from '../../shared/channelNames.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import type { SenderInfo } from '../ipc/handlerTable.ts';
import { FOREIGN_SENDER_REFUSAL } from '../ipc/foreignSender.ts';
import type { EngineHost } from './engineServices.ts';
import type { BrowserWindowLike, IpcMainLike } from './electronSurface.ts';
import { senderOf } from './windowRegistry.ts';
import { HeldAnswers } from './heldAnswers.ts';

export function registerInvokeHandler(ipcMain: IpcMainLike, isOwnSender: (sender: SenderInfo) => boolean, host: Pick<EngineHost, 'handleForWindow'>, held = new HeldAnswers()): () => void {
  // A large answer comes as bytes and goes on as bytes: the preload parses it; past one part,
  // main holds it and the preload fetches it part by part (shared/encodedAnswer.ts).
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel, input) => {
    const sender = senderOf(event);
    if (!isOwnSender(sender)) return FOREIGN_SENDER_REFUSAL;
    return held.prepare(await host.handleForWindow(channel as string, input), sender.id);
  });
  ipcMain.handle(ANSWER_PART_CHANNEL, async (event, id, index) => {
    const sender = senderOf(event);
    return isOwnSender(sender) ? held.part(id, index, sender.id) : FOREIGN_SENDER_REFUSAL;
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    ipcMain.removeHandler(ANSWER_PART_CHANNEL);
    held.clear();
  };
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
