// The preload script (bundled into one CommonJS file, out/preload.cjs, run sandboxed and
// context-isolated): window.tension gets `invoke` and `on` for the contract's channels and
// events, and nothing else. The logic is in app/preloadBridge.ts, tested without Electron.
import { contextBridge, ipcRenderer } from 'electron';
import { createTensionBridge } from './app/preloadBridge.ts';

contextBridge.exposeInMainWorld('tension', createTensionBridge(ipcRenderer));
