// A write of records into a context name that was renamed or merged away (its retired note
// points to the new name): what was written would land under the old name, show it again, and
// be moved on to the new name by the next context command, silently, after the writer was told
// it was saved there. The engine this makes refuses every such transaction, nothing changed,
// the message naming the context to write into (refuseRetiredDestination); reads go on (a
// read of a retired name answers as for an empty context). Used by `tension mcp` for all its
// writes, and by the CLI's graph commands (entity set, relation add, import); a context
// operation's own moves go through transactAcross and check their targets themselves.
import type { Engine } from '../engine.ts';
import { refuseRetiredDestination } from './retiredTargets.ts';

export function engineRefusingRetiredNames(engine: Engine): Engine {
  // Checked under the lock, with the transaction: a rename committed a moment before is seen.
  const transact: Engine['transact'] = (context, build, meta) =>
    engine.transact(
      context,
      (state, store) => {
        refuseRetiredDestination(engine, context, 'write');
        return build(state, store);
      },
      meta,
    );
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'transact') return transact;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the engine itself (its private state is not the proxy's).
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
