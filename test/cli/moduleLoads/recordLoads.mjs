// `node --import ./recordLoads.mjs …`: writes, when the process exits, one line to stderr naming
// every module file it loaded (`loaded-modules: ["file:///…", …]`). The loading itself is seen by
// a module hook (recordLoadsHooks.mjs), which Node runs on a thread of its own; its messages are
// drained at exit, so none is lost.
import { register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.unref();
register('./recordLoadsHooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

process.on('exit', () => {
  const urls = [];
  for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) urls.push(message.message);
  process.stderr.write(`loaded-modules: ${JSON.stringify(urls)}\n`);
});
