// Operation ids for the contract's `op`: one per thing a person asked for, so a request sent
// again (a second Enter, a retry after a lost reply) is applied once by the engine.

let counter = 0;

export function newOperationId(what: string): string {
  counter += 1;
  const random = typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${counter}`;
  return `app:${what}:${random}`;
}
