// An error from the contract in plain words: what happened, what was kept, what to do next.
// A refusal of what was typed names the fields in a person's words (fieldErrors.ts), never the
// schema's ("Too small: expected array to have >=1 items").
import type { IpcError } from '../../shared/contract.ts';
import { fieldErrorsOf, sentence } from './fieldErrors.ts';

const HEADINGS: Record<IpcError['code'], string> = {
  BAD_INPUT: 'Please check what you typed',
  NOT_FOUND: 'Not found (another program may have removed it)',
  BUSY: 'Another program is writing these files; try again in a moment',
  READ_ONLY: 'The data folder is read-only',
  DISK_FULL: 'The disk is full',
  PERMISSION_DENIED: 'Tension Desk may not write there',
  IO_ERROR: 'Reading or writing a file failed',
  CORRUPT: 'A file is damaged',
  CONFLICT: 'Someone else changed this meanwhile',
  FORBIDDEN: 'Refused',
  UNKNOWN_CHANNEL: 'The app asked for something it does not know',
  INTERNAL: 'Something unexpected went wrong',
};

export interface PlainError {
  readonly heading: string;
  readonly lines: readonly string[];
}

export function plainError(error: IpcError): PlainError {
  const lines = error.issues?.length ? Object.entries(fieldErrorsOf(error)).map(([field, problem]) => sentence(field, problem)) : [error.message];
  if (error.file) lines.push(`File: ${error.file}`);
  if (error.kept) lines.push(error.kept);
  return { heading: HEADINGS[error.code] ?? error.code, lines };
}
