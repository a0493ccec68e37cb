// In the desktop app: preload's window.tension is already the contract's invoke/on.
import type { Transport } from './transport.ts';

export function electronTransport(bridge: Transport): Transport {
  return bridge;
}
