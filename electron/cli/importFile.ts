// Reading the file `tension import` was given. Only a regular file is read (not /dev/zero,
// which never ends, nor a named pipe, whose open waits for a writer forever), up to a stated
// size, in chunks, so that Ctrl-C or SIGTERM stops it between two of them. Every refusal says
// the real reason: missing, a folder, a device, too large, not UTF-8.
import fs from 'node:fs';
import { EngineError, errnoOf, fromSystemError } from '../core/errors.ts';
import { describeKind } from '../core/dataFolder.ts';

/** The largest file `import` reads: one import is one transaction, held in memory whole. */
export const IMPORT_LIMIT_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const NOTHING = 'Nothing was imported.';

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

function refused(code: 'BAD_INPUT' | 'NOT_FOUND', message: string, file: string): EngineError {
  return new EngineError(code, `${message} ${NOTHING}`, { file, kept: 'Nothing was changed.' });
}

export interface ImportReadOptions {
  readonly limitBytes?: number;
  /** Aborted by Ctrl-C or SIGTERM: reading stops before the next chunk. */
  readonly signal?: AbortSignal;
}

export async function readImportFile(file: string, options: ImportReadOptions = {}): Promise<string> {
  const limit = options.limitBytes ?? IMPORT_LIMIT_BYTES;
  let handle: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: opening a named pipe returns at once instead of waiting for a writer; for a
    // regular file it changes nothing. What the path is, is then asked of the open file itself.
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT') throw refused('NOT_FOUND', `There is no file ${file}.`, file);
    if (errno === 'ENOTDIR') throw refused('NOT_FOUND', `There is no file ${file} (a part of that path is a file, not a folder).`, file);
    if (errno === 'ENXIO') throw refused('BAD_INPUT', `${file} is a socket or a device without a reader, not a regular file: import reads regular files only.`, file);
    throw fromSystemError(error, `Reading ${file} to import`, file, NOTHING);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw refused('BAD_INPUT', `${file} is ${describeKind(stat)}, not a regular file: import reads regular files only (save the data to a file first).`, file);
    }
    if (stat.size > limit) {
      throw refused('BAD_INPUT', `${file} is ${megabytes(stat.size)}; import takes files up to ${megabytes(limit)} (split it into smaller files and import each).`, file);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (options.signal?.aborted) throw refused('BAD_INPUT', `Reading ${file} was interrupted.`, file);
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      // The file may grow while it is read: the limit holds for what is read, not only its size.
      if (total > limit) throw refused('BAD_INPUT', `${file} grew past ${megabytes(limit)} while it was read; import takes files up to that size.`, file);
      chunks.push(bytesRead === CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch {
      throw refused('BAD_INPUT', `${file} is not UTF-8 text (JSON lines, or one JSON document, are expected).`, file);
    }
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw fromSystemError(error, `Reading ${file} to import`, file, NOTHING);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
