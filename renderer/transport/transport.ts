// What the renderer talks to: the contract's invoke and on, nothing else (VS Code's habit: one
// contract, thin transports). Electron IPC in the app, a function call in unit tests, HTTP +
// server-sent events in browser tests.
import type { TensionBridge } from '../../shared/contract.ts';

export type Transport = TensionBridge;
