// A long read told on a terminal: a first `tension` command on a peer's file of 100k charts
// parses 262 MB for seconds before it prints anything. On a terminal (stderr a TTY) one line
// says how far the read has gone, rewritten in place, and is wiped when the read ends, so what
// the command prints is all that stays. Not when stderr is a file or a pipe: a script's log
// gets no carriage returns.
import type { FileReadProgress } from '../core/engine.ts';
import { byteSize } from '../../shared/byteSize.ts';

/** Carriage return, then erase to the end of the line (ANSI EL). */
const WIPE = '\r\u001b[K';

/** What the engine's onReadProgress calls: writes the line to `err`, or wipes it at the end. */
export function readProgressLine(err: (text: string) => void): (progress: FileReadProgress) => void {
  return ({ file, doneBytes, totalBytes }) => {
    if (doneBytes >= totalBytes) {
      err(WIPE);
      return;
    }
    const percent = Math.floor((doneBytes / totalBytes) * 100);
    err(`${WIPE}tension: reading ${file} (${byteSize(totalBytes)}): ${percent}%`);
  };
}
