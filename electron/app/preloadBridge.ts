// What preload puts on window.tension: `invoke` for the contract's channels and `on` for its
// events, nothing else. The page never sees ipcRenderer, an IPC event object, or a channel
// name of its own choosing: unknown channels are refused here, before anything is sent, and
// main checks again (sender, channel, input) in the handler table.
import { CHANNEL_NAME_LIST as CHANNEL_NAMES, EVENT_NAMES, INVOKE_CHANNEL, eventChannel, type EventName } from '../../shared/channelNames.ts';
import type { IpcResult, TensionBridge } from '../../shared/contract.ts';
import { decodeAnswer } from '../../shared/encodedAnswer.ts';

/** The slice of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const channelNames: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const eventNames: ReadonlySet<string> = new Set(EVENT_NAMES);

function refused(message: string, code: 'UNKNOWN_CHANNEL' | 'INTERNAL'): IpcResult<never> {
  return { ok: false, error: { code, message, kept: 'Nothing was changed.' } };
}

export function createTensionBridge(ipcRenderer: IpcRendererLike): TensionBridge {
  const bridge: TensionBridge = {
    invoke(channel, input) {
      if (typeof channel !== 'string' || !channelNames.has(channel)) {
        return Promise.resolve(refused(`Unknown channel ${JSON.stringify(String(channel).slice(0, 80))}: not part of the app's contract.`, 'UNKNOWN_CHANNEL'));
      }
      // Main answers every request with a value; a rejection means main itself did not answer
      // (quitting, or no handler yet): say so as a value too.
      return ipcRenderer.invoke(INVOKE_CHANNEL, channel, input).then(
        // A large answer arrives as JSON bytes (shared/encodedAnswer.ts), parsed here, in the window's process.
        (result) => decodeAnswer(result) as IpcResult<never>,
        (error: unknown) => refused(`The main process did not answer ${channel}: ${error instanceof Error ? error.message : String(error)}`, 'INTERNAL'),
      );
    },
    on(event, listener) {
      if (typeof event !== 'string' || !eventNames.has(event)) {
        throw new TypeError(`Unknown event ${JSON.stringify(String(event).slice(0, 80))}: the app only sends ${EVENT_NAMES.join(', ')}.`);
      }
      if (typeof listener !== 'function') throw new TypeError('on(event, listener): listener must be a function.');
      const wire = eventChannel(event as EventName);
      // The page gets the payload only, never Electron's event (which carries the sender).
      const forward = (_event: unknown, payload: unknown) => listener(payload as never);
      ipcRenderer.on(wire, forward);
      return () => {
        ipcRenderer.removeListener(wire, forward);
      };
    },
  };
  return Object.freeze(bridge);
}
