// The engine's worker thread: runs engineServices.ts and answers the main thread's messages
// (engineWorkerProtocol.ts). Whatever the engine does synchronously (parsing a context file,
// a rewrite, hashing a backup) holds this thread only; the main thread, which moves the
// windows and answers the menus, stays free (issue 15). Bundled as out/engineWorker.cjs.
import { parentPort, workerData } from 'node:worker_threads';
import { buffersOf, encodeLargeAnswer, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
import { startEngineServices, type EngineServices } from './engineServices.ts';
import { errorForLog, errorText, type EngineWorkerData, type FromWorker, type ToWorker } from './engineWorkerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('engineWorker.ts runs as a worker thread (see engineWorkerClient.ts).');
const { config } = workerData as EngineWorkerData;
const send = (message: FromWorker) => port.postMessage(message);

let services: EngineServices | undefined;
let closing: Promise<void> | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'invoke') {
    if (!services || closing) {
      send({ type: 'result', id: message.id, result: { ok: false, error: { code: 'BUSY', message: 'Tension Desk is closing; the request was not run.', kept: 'Nothing was changed.' } } });
      return;
    }
    const forWindow = message.forWindow === true;
    services.handle(message.channel, message.input).then(
      (result) => {
        const answer = forWindow ? encodeLargeAnswer(result) : result;
        if (isEncodedAnswer(answer)) port.postMessage({ type: 'result', id: message.id, result: answer } satisfies FromWorker, buffersOf(answer));
        else send({ type: 'result', id: message.id, result: answer });
      },
      (error: unknown) => send({ type: 'result', id: message.id, result: { ok: false, error: { code: 'INTERNAL', message: `Unexpected failure: ${errorText(error)}`, kept: 'Changes already saved are kept.' } } }),
    );
    return;
  }
  closing ??= (services?.close() ?? Promise.resolve()).then(
    () => send({ type: 'closed' }),
    (error: unknown) => send({ type: 'closed', error: errorText(error) }),
  );
});

startEngineServices(config, {
  emit: (event, payload) => send({ type: 'event', event, payload }),
  log: (message, error) => send({ type: 'log', message, ...(error === undefined ? {} : { error: errorForLog(error) }) }),
}).then(
  (started) => {
    services = started;
    send({ type: 'ready', ...(started.firstScreen === undefined ? {} : { firstScreen: started.firstScreen }) });
    void started.watching.then(() => send({ type: 'watching' }));
    void started.listsReady.then(() => send({ type: 'listsReady' }));
  },
  (error: unknown) => send({ type: 'failed', message: errorText(error) }),
);
