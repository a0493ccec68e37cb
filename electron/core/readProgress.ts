// How far the read of a large context file has gone. At 100k charts a first open parses 262 MB
// for 4-5 s in one synchronous piece (contextFile.ts), and the app's chart list said only
// "Loading charts…" meanwhile: the parse tells its progress a few times a second, and the app
// shows it (engineServices.ts, the data.loading event; a worker thread's message leaves at once,
// while the thread is still busy parsing).

/** Told how many bytes of a file have been read, of how many. */
export type ReadProgress = (doneBytes: number, totalBytes: number) => void;

/** Which of a context's files a load reads: the context file, or its journal (a full replay, when no checkpoint vouches for the file). */
export type ReadFileKind = 'file' | 'journal';

/** Files smaller than this are read in well under a second: no progress is told of them. */
export const READ_PROGRESS_FROM_BYTES = 8 * 1024 * 1024;
/** At most one report per this many ms (and always the first and the last). */
export const READ_PROGRESS_EVERY_MS = 100;

/**
 * What a parse of `totalBytes` calls as it goes (with the bytes done so far): `report` at the
 * start, then at most every `everyMs`, and once at the end (done = total). Undefined for a file
 * under `fromBytes`, or with no one to tell.
 */
export function progressOfRead(report: ReadProgress | undefined, totalBytes: number, fromBytes = READ_PROGRESS_FROM_BYTES, everyMs = READ_PROGRESS_EVERY_MS): ((doneBytes: number) => void) | undefined {
  if (report === undefined || totalBytes < fromBytes) return undefined;
  // Telling is never a reason for a read to fail (a window gone, a closed port).
  const tell = (done: number) => {
    try {
      report(done, totalBytes);
    } catch {
      // Not told; the read goes on.
    }
  };
  let last = Date.now();
  let lastDone = 0;
  tell(0);
  return (doneBytes) => {
    const now = Date.now();
    const end = doneBytes >= totalBytes;
    if ((!end && now - last < everyMs) || doneBytes <= lastDone) return;
    last = now;
    lastDone = doneBytes;
    tell(Math.min(doneBytes, totalBytes));
  };
}
