// Every change `tension mcp` commits carries origin `mcp` (the engine's, set at open) and, in
// the journal line's `note`, the MCP client that asked for it, as the client named itself in the
// MCP handshake (docs/FORMAT.md): history then says which assistant wrote what. The engine takes
// a note per transaction, so this view of it adds the note to every transaction; the chart
// service and the tools use it exactly as they would use the engine.
import type { Engine } from '../core/engine.ts';

/** "MCP client <name> <version>", as docs/FORMAT.md documents it. */
export function clientNote(client: { name: string; version: string } | undefined): string | undefined {
  return client ? `MCP client ${client.name} ${client.version}`.trim() : undefined;
}

export function engineNotingClient(engine: Engine, note: () => string | undefined): Engine {
  const withNote = <M extends { note?: string | undefined }>(meta: M | undefined): M => {
    const text = note();
    // A caller's own note (an import, a restore) stays; the client is then not named.
    if (text === undefined || meta?.note !== undefined) return (meta ?? {}) as M;
    return { ...meta, note: text } as M;
  };
  const transact: Engine['transact'] = (context, build, meta) => engine.transact(context, build, withNote(meta));
  const transactAcross: Engine['transactAcross'] = (builders, meta) => engine.transactAcross(builders, withNote(meta));
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'transact') return transact;
      if (property === 'transactAcross') return transactAcross;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the engine itself (its private state is not the proxy's).
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
