// What `tension` prints, written straight to file descriptors 1 and 2 with fs.writeSync.
// process.stdout and process.stderr are streams, and the first touch of either loads Node's
// streams (about 18 ms of CPU, a tenth of what a 1,000-chart `chart list` costs); a command
// prints once, at its end, so a stream buys it nothing. A descriptor someone left non-blocking
// (EAGAIN: a pipe its reader is slow to drain) is handed to the stream, which waits for it;
// what follows goes there too, so the order holds.
import fs from 'node:fs';

/** What a failed write to the standard output is told to (EPIPE, a reader that left, is no failure). */
export type OutputFailure = (error: NodeJS.ErrnoException) => void;

interface Channel {
  readonly fd: 1 | 2;
  /** Set once the reader left (EPIPE) or a write failed: the rest has nowhere to go. */
  closed: boolean;
  /** Set once the descriptor was handed to the stream: everything after it goes there. */
  stream: NodeJS.WriteStream | undefined;
}

export interface Output {
  /** Prints to the standard output. */
  readonly out: (text: string) => void;
  /** Prints to the standard error (its own failures have nowhere to be told, and are dropped). */
  readonly err: (text: string) => void;
  /** True once a descriptor was handed to its stream: what it holds may still be on its way. */
  readonly streamed: () => boolean;
}

export function createOutput(onOutFailure: OutputFailure): Output {
  const failed = (channel: Channel, error: NodeJS.ErrnoException) => {
    channel.closed = true;
    if (error.code !== 'EPIPE' && channel.fd === 1) onOutFailure(error);
  };
  const write = (channel: Channel, text: string) => {
    if (channel.closed) return;
    if (channel.stream) {
      channel.stream.write(text);
      return;
    }
    const bytes = Buffer.from(text);
    let done = 0;
    while (done < bytes.length) {
      try {
        done += fs.writeSync(channel.fd, bytes, done, bytes.length - done);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return failed(channel, error as NodeJS.ErrnoException);
        const stream = channel.fd === 1 ? process.stdout : process.stderr;
        stream.on('error', (streamError: NodeJS.ErrnoException) => {
          if (!channel.closed) failed(channel, streamError);
        });
        channel.stream = stream;
        stream.write(bytes.subarray(done));
        return;
      }
    }
  };
  const stdout: Channel = { fd: 1, closed: false, stream: undefined };
  const stderr: Channel = { fd: 2, closed: false, stream: undefined };
  return { out: (text) => write(stdout, text), err: (text) => write(stderr, text), streamed: () => stdout.stream !== undefined || stderr.stream !== undefined };
}
