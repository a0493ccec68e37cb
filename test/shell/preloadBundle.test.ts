import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleElectron, type BundleResult } from '../../build/bundle.ts';
import { CHANNEL_NAMES, EVENT_NAMES, INVOKE_CHANNEL, eventChannel, type TensionBridge } from '../../shared/contract.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { FakeIpcRenderer } from './fakes.ts';

let bundle: BundleResult;

beforeAll(async () => {
  bundle = await bundleElectron(path.join(tempDir('tension-bundle-'), 'out'));
});
afterAll(removeTempDirs);

/**
 * Runs out/preload.cjs the way a sandboxed preload runs: a CommonJS wrapper whose require
 * answers 'electron' only. contextBridge and ipcRenderer are fakes (no Electron here).
 */
function runPreload(ipcRenderer: FakeIpcRenderer) {
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      exposed.set(key, api);
    },
  };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`module not found: ${name}`);
  };
  const code = fs.readFileSync(bundle.preload, 'utf8');
  const module = { exports: {} };
  const wrapper = vm.runInNewContext(`(function (exports, require, module) {\n${code}\n})`, { console }, { filename: 'preload.cjs' }) as (e: unknown, r: unknown, m: unknown) => void;
  wrapper(module.exports, sandboxRequire, module);
  return { exposed, required };
}

describe('the preload bundle', () => {
  it('is one CommonJS file that requires nothing but electron', () => {
    const files = fs.readdirSync(bundle.outDir).filter((f) => f.startsWith('preload'));
    expect(files.sort()).toEqual(['preload.cjs', 'preload.cjs.map']);
    expect(bundle.external.preload).toEqual(['electron']);
    const code = fs.readFileSync(bundle.preload, 'utf8');
    expect([...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(code).not.toMatch(/\bimport\s*\(|^\s*import\s|^\s*export\s/m);
  });

  it('exposes exactly window.tension with invoke and on, and nothing else', () => {
    const ipc = new FakeIpcRenderer();
    const { exposed, required } = runPreload(ipc);
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['tension']);
    const bridge = exposed.get('tension') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(typeof bridge.invoke).toBe('function');
    expect(typeof bridge.on).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends every contract channel over the one invoke wire, and refuses unknown channels without sending anything', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = runPreload(ipc).exposed.get('tension') as TensionBridge;
    for (const channel of CHANNEL_NAMES) {
      expect(await bridge.invoke(channel, {} as never)).toEqual({ ok: true, value: 'answered' });
    }
    expect(ipc.invoked.map(([wire, channel]) => [wire, channel])).toEqual(CHANNEL_NAMES.map((c) => [INVOKE_CHANNEL, c]));
    ipc.invoked.length = 0;
    for (const unknown of ['fs.readFile', 'shell.openExternal', '__proto__', 'constructor', 'tension:invoke', '', 42, null, { toString: () => 'app.info' }]) {
      const result = await bridge.invoke(unknown as never, {} as never);
      expect(result, String(unknown)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
    expect(ipc.invoked).toEqual([]);
  });

  it("turns main's silence (no handler, quitting) into an error value instead of a rejection", async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = async () => {
      throw new Error("No handler registered for 'tension:invoke'");
    };
    const bridge = runPreload(ipc).exposed.get('tension') as TensionBridge;
    expect(await bridge.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('No handler registered') } });
  });

  it('subscribes only to contract events, hands the listener the payload alone, and unsubscribes', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = runPreload(ipc).exposed.get('tension') as TensionBridge;
    const got: unknown[][] = [];
    const stop = bridge.on('data.changed', (...args: unknown[]) => got.push(args));
    const fakeIpcEvent = { sender: ipc, senderId: 0 };
    ipc.emit(eventChannel('data.changed'), fakeIpcEvent, { context: 'work', seq: 1, external: [] });
    expect(got).toEqual([[{ context: 'work', seq: 1, external: [] }]]);
    stop();
    ipc.emit(eventChannel('data.changed'), fakeIpcEvent, { context: 'work', seq: 2, external: [] });
    expect(got).toHaveLength(1);
    expect(ipc.listenerCount(eventChannel('data.changed'))).toBe(0);

    for (const event of EVENT_NAMES) bridge.on(event, () => undefined)();
    for (const unknown of ['tension:invoke', 'ELECTRON_BROWSER_REQUIRE', 'data.changed ', '__proto__', 7]) {
      expect(() => bridge.on(unknown as never, () => undefined), String(unknown)).toThrow(/Unknown event/);
    }
    expect(() => bridge.on('data.changed', 'not a function' as never)).toThrow(/must be a function/);
    expect(ipc.eventNames()).toEqual([]);
  });
});

describe('the main bundle', () => {
  it('is one CommonJS file that keeps electron and Node built-ins external, and holds neither the engine nor zod', () => {
    expect(fs.readdirSync(bundle.outDir).filter((f) => f.startsWith('main')).sort()).toEqual(['main.cjs', 'main.cjs.map']);
    expect(bundle.external.main).toContain('electron');
    for (const name of bundle.external.main) expect(name === 'electron' || isBuiltin(name), name).toBe(true);
    const sources = (JSON.parse(fs.readFileSync(`${bundle.main}.map`, 'utf8')) as { sources: string[] }).sources;
    expect(sources.filter((source) => /electron\/core\/|node_modules\//.test(source))).toEqual([]);
    expect(sources.some((source) => source.endsWith('electron/app/engineWorkerClient.ts'))).toBe(true);
  });

  it('has the engine beside it: one CommonJS file for its worker thread, keeping only the native koffi and Node built-ins external', () => {
    expect(fs.readdirSync(bundle.outDir).filter((f) => f.startsWith('engineWorker')).sort()).toEqual(['engineWorker.cjs', 'engineWorker.cjs.LEGAL.txt', 'engineWorker.cjs.map']);
    // koffi ships beside the bundle, its binary unpacked (build/electron-builder.yml).
    expect(bundle.external.worker).toContain('koffi');
    for (const name of bundle.external.worker) expect(name === 'koffi' || isBuiltin(name), name).toBe(true);
    expect(bundle.external.worker).not.toContain('electron');
    expect(fs.readdirSync(bundle.placeholder).sort()).toEqual(['index.html', 'placeholder.css', 'placeholder.js']);
  });
});
