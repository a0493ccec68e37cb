// What preload puts on window.tension: `invoke` for the contract's channels and `on` for its
// events, nothing else. The page never sees ipcRenderer, an IPC event object, or a channel
// name of its own choosing: unknown channels are refused here, before anything is sent, and
// main checks again (sender, channel, input) in the handler table.
import { ANSWER_PART_CHANNEL, CHANNEL_NAME_LIST as CHANNEL_NAMES, EVENT_NAMES, INVOKE_CHANNEL, eventChannel, type EventName } from '../../shared/channelNames.ts';
import type { IpcResult, TensionBridge } from '../../shared/contract.ts';
import { decodeAnswer, isAnswerInParts, joinParts, type AnswerInParts } from '../../shared/encodedAnswer.ts';

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

/**
 * The answer main holds in parts (shared/encodedAnswer.ts), fetched part by part, in order, and
 * joined; throws when a part does not come or the parts do not add up.
 */
async function fetchParts(ipcRenderer: IpcRendererLike, held: AnswerInParts): Promise<unknown> {
  const { id, parts, bytes } = held.answerInParts;
  const got: Uint8Array[] = [];
  for (let index = 0; index < parts; index += 1) {
    const part = await ipcRenderer.invoke(ANSWER_PART_CHANNEL, id, index);
    if (!(part instanceof Uint8Array)) throw new Error(`part ${index + 1} of ${parts} did not come (${JSON.stringify(part).slice(0, 200)})`);
    got.push(part);
  }
  const joined = joinParts(got, bytes);
  if (!joined) throw new Error(`its ${parts} parts do not add up to ${bytes} bytes`);
  return joined;
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
        // A large answer arrives as JSON bytes (shared/encodedAnswer.ts), parsed here, in the
        // window's process; a very large one is fetched in parts first.
        (result) =>
          isAnswerInParts(result)
            ? fetchParts(ipcRenderer, result).then(
                (joined) => decodeAnswer(joined) as IpcResult<never>,
                (error: unknown) => refused(`The answer to ${channel} did not arrive whole: ${error instanceof Error ? error.message : String(error)}`, 'INTERNAL'),
              )
            : (decodeAnswer(result) as IpcResult<never>),
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
