// Progress as the windows get it: a scheduled backup tells every piece it stores and checks
// (1,551 events for a backup of 570 MB at 100k charts, bursts of a dozen in a millisecond), each
// a message from the engine's worker to the main thread, then to every window, then a render of
// its progress bar. A bar moves no better for more than a few a second: the first, the last and
// a change of phase always go, the rest at most every PROGRESS_EVENT_MS.
import type { ProgressEvent } from '../../shared/contract.ts';

export const PROGRESS_EVENT_MS = 100;

/** `send`, called at most every `everyMs` for the same task and phase (and always for the first, the last, and a new phase). */
export function throttledProgress(send: (progress: ProgressEvent) => void, everyMs = PROGRESS_EVENT_MS, now: () => number = Date.now): (progress: ProgressEvent) => void {
  let last: { task: string; message: string | undefined; at: number } | undefined;
  return (progress) => {
    const at = now();
    const end = progress.done >= progress.total;
    const same = last !== undefined && last.task === progress.task && last.message === progress.message;
    if (same && !end && at - last!.at < everyMs) return;
    last = end ? undefined : { task: progress.task, message: progress.message, at };
    send(progress);
  };
}
