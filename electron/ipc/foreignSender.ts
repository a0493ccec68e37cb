// The answer to a request that did not come from one of the app's own windows. Checked first,
// before the channel or the input are looked at: by the handler table where it runs beside
// the windows (tests, the browser bridge), and by the main thread before a request crosses to
// the engine's worker thread (the app). No engine import: the main thread's bundle uses it.
import type { IpcResult } from '../../shared/contract.ts';

export const FOREIGN_SENDER_REFUSAL: IpcResult<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: 'Refused: the request did not come from a Tension Desk window.', kept: 'Nothing was changed.' }),
}) as IpcResult<never>;
