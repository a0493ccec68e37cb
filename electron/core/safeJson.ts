// Guards for values that came from outside (a file, the CLI, the renderer): plain JSON only,
// no keys that would reach an object's prototype when assigned.
import { EngineError } from './errors.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Assigns an own property even for a key like "__proto__" (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Throws BAD_INPUT unless `value` is plain JSON without prototype-reaching keys, within limits. */
export function assertPlainJson(value: unknown, what: string, limits = { depth: 32, bytes: 1_000_000 }): void {
  const walk = (v: unknown, depth: number): void => {
    if (depth > limits.depth) throw new EngineError('BAD_INPUT', `${what} is nested too deeply.`);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new EngineError('BAD_INPUT', `${what} holds a number JSON cannot store.`);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item) => walk(item, depth + 1));
      return;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const key of Object.keys(v as object)) {
        if (FORBIDDEN_KEYS.has(key)) throw new EngineError('BAD_INPUT', `${what} may not use the key ${JSON.stringify(key)}.`);
        walk((v as Record<string, unknown>)[key], depth + 1);
      }
      return;
    }
    throw new EngineError('BAD_INPUT', `${what} must be plain JSON.`);
  };
  walk(value, 0);
  const size = JSON.stringify(value)?.length ?? 0;
  if (size > limits.bytes) throw new EngineError('BAD_INPUT', `${what} is too large (${size} bytes; the limit is ${limits.bytes}).`);
}
