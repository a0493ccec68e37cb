// A long read told on a terminal: a first `tension` command on a peer's file of 100k charts
// parses 262 MB for seconds before it prints anything. On a terminal (stderr a TTY) one line
// says how far the read has gone, rewritten in place, and is wiped when the read ends, so what
// the command prints is all that stays. Not when stderr is a file or a pipe: a script's log
// gets no carriage returns.
import type { FileReadProgress } from '../core/engine.ts';
import { byteSize } from '../../shared/byteSize.ts';

/** Carriage return, then erase to the end of the line (ANSI EL). */
const WIPE = '\r\u001b[K';

export interface ReadProgressLine {
  /** What the engine's onReadProgress calls: writes the line to `err`, or wipes it at the end of the read. */
  readonly tell: (progress: FileReadProgress) => void;
  /** Wipes the line if one is showing (before a message that must not be glued to it). */
  readonly wipe: () => void;
}

export function readProgressLine(err: (text: string) => void): ReadProgressLine {
  let showing = false;
  const wipe = () => {
    if (!showing) return;
    showing = false;
    err(WIPE);
  };
  return {
    tell: ({ file, kind, doneBytes, totalBytes }) => {
      if (doneBytes >= totalBytes) return wipe();
      showing = true;
      const what = kind === 'journal' ? `the history of ${file}` : file;
      err(`${WIPE}tension: reading ${what} (${byteSize(totalBytes)}): ${Math.floor((doneBytes / totalBytes) * 100)}%`);
    },
    wipe,
  };
}
