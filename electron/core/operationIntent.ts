// What an operation id was given for. A caller that retries a change gives it the same id, and
// the engine answers the retry with the first run's result instead of doing it again. An id
// given again for a DIFFERENT change (a script reusing a constant, an assistant reusing an
// operationId) was answered the same way: acknowledged, and nothing done. So where an id comes
// in from outside (a CLI command, an MCP tool call, a window's request), the request's own
// fingerprint is kept with it (`operationFor`), journaled with the commit (`opFor`), and a
// later commit under the same id with another fingerprint is refused (CONFLICT).
//
// Carried in the async context of the request rather than through every service method's
// arguments: the services pass the id down as they always did, and only the engine's commit
// reads the fingerprint. It applies to that id and the ids derived from it (`<id>:<context>`
// for a move's parts), never to another id met on the way (an interrupted move being finished).
import { AsyncLocalStorage } from 'node:async_hooks';
import { crc32Hex } from './journalFormat.ts';
import { EngineError } from './errors.ts';

interface Operation {
  readonly id: string;
  readonly fingerprint: string;
}

const current = new AsyncLocalStorage<Operation>();

/**
 * A request's fingerprint: what it is (the command, tool or channel, kept readable for the
 * refusal's message) and a checksum of its input (without the id itself).
 */
export function requestFingerprint(what: string, input: unknown): string {
  return `${what.slice(0, 80)} #${crc32Hex(JSON.stringify(input) ?? '')}`;
}

/** Runs `run` as the request that gave operation id `id`, whose fingerprint `fingerprint` makes (only when there is an id: a request's input may be large). */
export function runAsOperation<T>(id: string | undefined, fingerprint: () => string, run: () => T): T {
  return id === undefined ? run() : current.run({ id, fingerprint: fingerprint() }, run);
}

/** The fingerprint of the request that gave `op` (or the id it derives from), if one is running. */
export function operationFor(op: string): string | undefined {
  const operation = current.getStore();
  if (!operation) return undefined;
  return op === operation.id || op.startsWith(`${operation.id}:`) ? operation.fingerprint : undefined;
}

/** The readable part of a fingerprint (what the request was), for a message. */
export function fingerprintWhat(fingerprint: string): string {
  const at = fingerprint.lastIndexOf(' #');
  return at < 0 ? fingerprint : fingerprint.slice(0, at);
}

/**
 * Refuses a commit under operation id `op`, done before as `done`, when this one is for another
 * change (both fingerprints known: a commit journaled before fingerprints were kept is taken as
 * the same). A retry of the same request passes, and is answered with the first run's result.
 */
export function refuseOtherUse(op: string, done: { readonly for?: string }, opFor: string | undefined): void {
  if (done.for === undefined || opFor === undefined || done.for === opFor) return;
  throw new EngineError('CONFLICT', `The operation id ${JSON.stringify(op)} was used for another change (${fingerprintWhat(done.for)}): give this change an id of its own. Nothing was changed.`, {
    kept: 'Nothing was changed.',
  });
}
