// Errors are values a person can act on: what failed, on which file, what was kept, and what
// to do next. Every failure that leaves the engine is an EngineError with one of these codes.

export type EngineErrorCode =
  | 'BAD_INPUT' // the request itself is wrong; nothing was changed
  | 'NOT_FOUND' // the named record, context or backup does not exist
  | 'BUSY' // another process held the lock longer than the wait allows
  | 'READ_ONLY' // the data root cannot be written, or its journal is from a newer version
  | 'DISK_FULL'
  | 'PERMISSION_DENIED'
  | 'IO_ERROR'
  | 'CORRUPT' // damage was found that the operation cannot work around
  | 'CONFLICT'; // the data changed under the operation (lock lost); it was not applied

export interface EngineErrorDetails {
  file?: string | undefined;
  kept?: string | undefined;
  cause?: unknown;
}

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly file: string | undefined;
  readonly kept: string | undefined;

  constructor(code: EngineErrorCode, message: string, details: EngineErrorDetails = {}) {
    super(printable(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EngineError';
    this.code = code;
    this.file = details.file;
    this.kept = details.kept;
  }

  toJSON(): { code: EngineErrorCode; message: string; file?: string; kept?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.kept === undefined ? {} : { kept: this.kept }),
    };
  }
}

/**
 * A message is printed on a terminal and logged: control characters that came with an input
 * (a NUL in a name, an escape sequence) are shown as `\u0000` escapes, never written raw.
 * Line breaks and tabs stay (a stack trace is several lines).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const codeByErrno: Record<string, EngineErrorCode> = {
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
  EFBIG: 'DISK_FULL',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EROFS: 'READ_ONLY',
  EIO: 'IO_ERROR',
  // A link where Tension Desk keeps a file (fileSystem.ts opens with O_NOFOLLOW).
  ELOOP: 'READ_ONLY',
};

const phraseByCode: Partial<Record<EngineErrorCode, string>> = {
  DISK_FULL: 'the disk is full',
  PERMISSION_DENIED: 'permission denied',
  READ_ONLY: 'the file system is read-only',
  IO_ERROR: 'an I/O error occurred',
};

/** Errnos whose own words say more than the code's phrase. */
const phraseByErrno: Record<string, string> = {
  ELOOP: 'it is a symbolic link, and Tension Desk neither reads nor writes through links inside the data folder (replace it with the file itself)',
};

export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Turns a system error into an EngineError that names the file, what we were doing and what was kept. */
export function fromSystemError(error: unknown, doing: string, file: string, kept: string): EngineError {
  if (error instanceof EngineError) return error;
  const errno = errnoOf(error);
  const code = (errno && codeByErrno[errno]) || 'IO_ERROR';
  const phrase = (errno && phraseByErrno[errno]) || (phraseByCode[code] ?? 'an error occurred');
  const detail = error instanceof Error ? error.message : String(error);
  return new EngineError(code, `${doing} failed: ${phrase} (${errno ?? detail}) on ${file}. ${kept}`, {
    file,
    kept,
    cause: error,
  });
}
