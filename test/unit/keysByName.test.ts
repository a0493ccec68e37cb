// KeysByName (electron/core/keysByName.ts): the index of relation ends, a name with one key
// holding the key itself. Every way between one key and several must answer as a Set would.
import { describe, expect, it } from 'vitest';
import { KeysByName } from '../../electron/core/keysByName.ts';

const keysOf = (index: KeysByName, name: string) => [...(index.get(name) ?? [])];

describe('KeysByName', () => {
  it('answers as a Set per name would, in the order keys came, through adds and removes', () => {
    const index = new KeysByName();
    const model = new Map<string, Set<string>>();
    const add = (name: string, key: string) => {
      index.add(name, key);
      if (!model.has(name)) model.set(name, new Set());
      model.get(name)?.add(key);
    };
    const remove = (name: string, key: string) => {
      index.remove(name, key);
      model.get(name)?.delete(key);
      if (model.get(name)?.size === 0) model.delete(name);
    };
    const check = () => {
      for (const name of ['a', 'b', 'c', 'hub']) expect(keysOf(index, name), name).toEqual([...(model.get(name) ?? [])]);
    };
    add('a', 'r1');
    check();
    add('a', 'r1'); // the same key again: still one
    check();
    add('a', 'r2');
    add('hub', 'r1');
    add('hub', 'r2');
    add('hub', 'r3');
    check();
    remove('a', 'r1'); // from two to one
    check();
    add('a', 'r3'); // and to two again: the remaining key first, as in a Set
    check();
    remove('a', 'r2');
    remove('a', 'r3');
    check();
    expect(index.get('a')).toBeUndefined();
    remove('b', 'r9'); // a name never seen
    add('c', 'r4');
    remove('c', 'r5'); // a key the name does not have
    check();
    remove('hub', 'r2');
    check();
  });

  it('hands out no Set of its own for a single key: changing what was read changes nothing here', () => {
    const index = new KeysByName();
    index.add('a', 'r1');
    (index.get('a') as Set<string>).add('r2');
    expect(keysOf(index, 'a')).toEqual(['r1']);
  });
});
