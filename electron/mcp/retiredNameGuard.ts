// An assistant writing into a context name that was renamed or merged away (its retired note
// points to the new name): what it wrote would land under the old name, show it again, and be
// moved on to the new name by the next context command, silently, after the assistant was told
// it was saved there. So every write of `tension mcp` into such a name is refused, nothing
// changed, the message naming the context to write into (refuseRetiredDestination); reads are
// not (a read of a retired name answers as for an empty context, with a note: dataFolder.ts).
import type { Engine } from '../core/engine.ts';
import { refuseRetiredDestination } from '../core/contexts/retiredTargets.ts';

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
