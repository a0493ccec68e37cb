// A repair the app made on its own is shown until the person looks at it. The window asks for
// the repairs made so far when it starts, and hears of new ones by an event; in the browser
// (HTTP answers, a separate event stream) the event of a repair made just after the answer was
// read can come first, and the answer, merged by replacing the list, took it away again: the
// notice never showed (the Chromium recovery story failed now and then). The store is driven
// here by a client whose answer is held until the event has come (the client is the seam).
import { describe, expect, it } from 'vitest';
import { createRecoveryStore } from '../../renderer/stores/recoveryStore.ts';
import type { Client } from '../../renderer/stores/client.ts';
import type { AutomaticRepair } from '../../shared/backupTypes.ts';

const repair = (id: number): AutomaticRepair => ({ id, at: '2026-11-30T23:00:00.000Z', context: 'work', outcome: { verified: { ok: true, findings: [] } } }) as unknown as AutomaticRepair;

describe('repairs made on their own, heard of while the first list is on its way', () => {
  it('a repair announced by its event before the older answer arrives stays listed and unseen', async () => {
    let answer: (value: unknown) => void = () => undefined;
    const held = new Promise((resolve) => (answer = resolve));
    const client = { call: () => held } as unknown as Client;
    const store = createRecoveryStore(client, async () => undefined);

    const loading = store.getState().loadRepairs();
    store.getState().repaired(repair(1));
    answer({ ok: true, value: { repairs: [], damaged: [] } });
    await loading;
    expect(store.getState().repairs.map((r) => r.id)).toEqual([1]);
    expect(store.getState().unseen).toEqual([1]);
  });

  it('an answer holding a repair already heard of lists it once', async () => {
    const client = { call: async () => ({ ok: true, value: { repairs: [repair(1), repair(2)], damaged: [] } }) } as unknown as Client;
    const store = createRecoveryStore(client, async () => undefined);
    store.getState().repaired(repair(1));
    await store.getState().loadRepairs();
    expect(store.getState().repairs.map((r) => r.id)).toEqual([1, 2]);
    expect(store.getState().unseen).toEqual([1, 2]);
  });
});
