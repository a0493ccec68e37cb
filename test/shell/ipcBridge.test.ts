import { afterEach, describe, expect, it } from 'vitest';
import { broadcast, registerInvokeHandler } from '../../electron/app/ipcBridge.ts';
import { WindowRegistry, senderOf } from '../../electron/app/windowRegistry.ts';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import { ANSWER_PART_CHANNEL, INVOKE_CHANNEL, eventChannel } from '../../shared/contract.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { FakeBrowserWindow, FakeIpcMain } from './fakes.ts';

afterEach(removeTempDirs);

const options = { preload: '/p.cjs', devTools: false, backgroundColor: '#fff' } as never;

describe('the sender check (fake windows and ipcMain)', () => {
  it("trusts a request only from one of the app's open windows showing an app:// page", () => {
    const registry = new WindowRegistry<FakeBrowserWindow>();
    const window = registry.add(new FakeBrowserWindow(options));
    const stranger = new FakeBrowserWindow(options); // exists, but the app did not register it
    const id = window.webContents.id;
    expect(registry.isOwnSender({ id, url: 'app://tension/index.html' })).toBe(true);
    expect(registry.isOwnSender({ id, url: 'https://evil.example/' })).toBe(false);
    expect(registry.isOwnSender({ id, url: 'app://evil/index.html' })).toBe(false);
    expect(registry.isOwnSender({ id, url: '' })).toBe(false);
    expect(registry.isOwnSender({ id: stranger.webContents.id, url: 'app://tension/index.html' })).toBe(false);
    window.close();
    expect(registry.isOwnSender({ id, url: 'app://tension/index.html' })).toBe(false);
    expect(registry.windows()).toEqual([]);
  });

  it('reads the sender from the invoke event: webContents id and the sending frame URL (none once the frame is gone)', () => {
    expect(senderOf({ sender: { id: 7 }, senderFrame: { url: 'app://tension/index.html' } })).toEqual({ id: 7, url: 'app://tension/index.html' });
    expect(senderOf({ sender: { id: 7 }, senderFrame: null })).toEqual({ id: 7, url: '' });
  });
});

describe('the invoke handler', () => {
  it('routes contract requests from our window to the engine, and refuses everyone else before the engine sees them', async () => {
    const engine = await openEngine(tempLayout());
    const registry = new WindowRegistry<FakeBrowserWindow>();
    const window = registry.add(new FakeBrowserWindow(options));
    const ipcMain = new FakeIpcMain();
    // The table trusts every sender, as it does in the engine's worker thread: the bridge alone must refuse strangers.
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    const unregister = registerInvokeHandler(ipcMain, registry.isOwnSender, { handleForWindow: (channel, input) => table.handle(channel, input, { id: 0, url: '' }) });
    expect([...ipcMain.handlers.keys()]).toEqual([INVOKE_CHANNEL, ANSWER_PART_CHANNEL]);

    const ours = { id: window.webContents.id, url: 'app://tension/index.html' };
    const created = await ipcMain.invoke(ours, INVOKE_CHANNEL, 'charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot only'] });
    expect(created).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^chart_/) } });
    expect(await ipcMain.invoke(ours, INVOKE_CHANNEL, 'charts.list', { context: 'work' })).toMatchObject({ ok: true, value: [{ id: (created as { value: { id: string } }).value.id }] });

    const recordsBefore = await engine.read('work', (state) => state.size);

    // A page that navigated elsewhere inside our window, a frame already gone, a stranger window.
    for (const from of [{ ...ours, url: 'https://evil.example/' }, { ...ours, url: null }, { id: 4242, url: 'app://tension/index.html' }]) {
      expect(await ipcMain.invoke(from, INVOKE_CHANNEL, 'charts.create', { context: 'work', outcome: 'x', reality: ['y'] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await ipcMain.invoke(ours, INVOKE_CHANNEL, 'fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await ipcMain.invoke(ours, INVOKE_CHANNEL, 42, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await ipcMain.invoke(ours, INVOKE_CHANNEL, 'charts.list', { context: '../../etc' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await engine.read('work', (state) => state.size)).toBe(recordsBefore); // the refused requests changed nothing

    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    await engine.close();
  });

  it('pushes an event to every open window on its own wire channel, skipping closed ones', () => {
    const registry = new WindowRegistry<FakeBrowserWindow>();
    const a = registry.add(new FakeBrowserWindow(options));
    const b = registry.add(new FakeBrowserWindow(options));
    const c = registry.add(new FakeBrowserWindow(options));
    c.close();
    const payload = { context: 'work', seq: 3, external: [] };
    expect(broadcast(registry.windows(), 'data.changed', payload)).toBe(2);
    expect(a.webContents.sent).toEqual([{ channel: eventChannel('data.changed'), args: [payload] }]);
    expect(b.webContents.sent).toEqual([{ channel: 'tension:event:data.changed', args: [payload] }]);
    expect(c.webContents.sent).toEqual([]);
  });
});
