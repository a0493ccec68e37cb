// The stores' one way to call the contract: every call is a task (so slow ones get a progress
// bar) and every answer is an IpcResult value.
import type { ChannelInput, ChannelName, ChannelOutput, IpcResult } from '../../shared/contract.ts';
import type { Transport } from '../transport/transport.ts';
import type { NotificationsStore } from './notificationsStore.ts';

export interface Client {
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>, label?: string): Promise<IpcResult<ChannelOutput<C>>>;
}

export function createClient(transport: Transport, notifications: NotificationsStore): Client {
  return {
    async call(channel, input, label) {
      const task = notifications.getState().startTask(label ?? channel);
      try {
        return await transport.invoke(channel, input);
      } finally {
        notifications.getState().endTask(task);
      }
    },
  };
}
