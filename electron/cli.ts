// `tension`: the command-line front end of the storage engine (no GUI, no electron).
// Exit 0 on success; on failure a non-zero code and one clear line on stderr. With --json,
// exactly one JSON document on stdout (on failure: {"error":{code,message,file,kept}}).
// A change that is committed (durable in the journal) is a success even when the context file
// could not be rewritten afterwards: the result is printed, exit 0, and a warning on stderr
// (a retrying script must not make the change twice).
import type { Engine } from './core/engine.ts';
import { EngineError, fromSystemError } from './core/errors.ts';
import { DEFAULT_CONTEXT, contextPaths, resolveLayout, validateContextName, type DataLayout } from './core/dataRoot.ts';
import { checkDataFolder, contextOnDisk, kindOfPath } from './core/dataFolder.ts';
import { parseCommandLine, type CliOptions } from './cli/arguments.ts';
import { findCommand, helpText, optionsNotTaken, wordsNotTaken, type CommandResult } from './cli/commands.ts';
import { listenForInterruption, stoppableEngine, type Interruption } from './cli/interruption.ts';
import { createOutput } from './cli/output.ts';
import { readProgressLine, type ReadProgressLine } from './cli/readProgressLine.ts';

const exitCodes: Record<string, number> = {
  BAD_INPUT: 2,
  NOT_FOUND: 3,
  BUSY: 4,
  READ_ONLY: 5,
  DISK_FULL: 6,
  PERMISSION_DENIED: 7,
  IO_ERROR: 8,
  CORRUPT: 9,
  CONFLICT: 10,
};

/** How long an interrupted command waits for the engine to close before it exits anyway. */
const CLOSE_GRACE_MS = 1_000;

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

const asEngineError = (error: unknown, doing: string, file: string, kept: string) =>
  error instanceof EngineError ? error : fromSystemError(error, doing, file, kept);

/** Where the data folder came from, when the person did not name it on the command line. */
function foundWhere(layout: DataLayout): string | undefined {
  switch (layout.source) {
    case '--data':
    case '--memory-path':
      return undefined;
    case 'nearest .coaia':
      return 'the nearest .coaia folder above the working folder';
    case 'home folder':
      return 'the default folder in your home folder';
    default:
      return `from $${layout.source}`;
  }
}

/**
 * What a reading command reads that is not there: the data folder (the memory file), or a
 * context named on the command line (the default one may well be empty). It answers as for an
 * empty one, and says so, so that a mistyped --data or --context does not pass for "no charts".
 */
function absentData(layout: DataLayout, named: string | undefined): string | undefined {
  const data = layout.kind === 'memory-path' ? contextPaths(layout, DEFAULT_CONTEXT).file : layout.root;
  if (kindOfPath(data) === undefined) return `there is no ${layout.kind === 'memory-path' ? 'file' : 'data folder'} ${data} (nothing in it yet, or a mistyped path)`;
  if (named === undefined || contextOnDisk(layout, named)) return undefined;
  return `there is no context ${JSON.stringify(named)} in ${layout.root} (a mistyped name? 'tension contexts' lists them)`;
}

function textOf(result: CommandResult): string {
  return typeof result.text === 'function' ? result.text() : result.text;
}

async function closeInterrupted(engine: Engine | undefined): Promise<void> {
  if (!engine) return;
  // Closing flushes what was committed and releases the lock. If it has not finished within the
  // grace time, it is waiting for another process's lock: nothing of ours is held or half-done.
  await Promise.race([engine.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
}

// The output's own failures. Whatever the command changed is committed, and the engine closed,
// before anything is printed. A reader that stops early (`tension chart list | head`) closes the
// pipe: the rest has nowhere to go, which is no failure of the command (output.ts drops it). Output
// sent to a file on a full disk (`tension graph --json > export.json`) is incomplete: one clear
// line and the disk full code, not the stack trace of an unhandled error.
let outputFailed: number | undefined;
const { out, err, streamed } = createOutput((error) => {
  const failure = fromSystemError(error, 'Printing the result', 'the standard output', 'What the command changed is saved; only its printed result is incomplete.');
  err(`tension: ${failure.message}\n`);
  outputFailed = exitCodes[failure.code] ?? 1;
  process.exitCode = outputFailed;
});

/**
 * What a command line asks, for an --op given with it: the command, its words and options, and
 * the context; not the id itself, nor what only chooses the output or names the data folder.
 */
function commandAsked(words: readonly string[], options: CliOptions, context: string): unknown {
  const { op: _op, json: _json, data: _data, 'memory-path': _memoryPath, help: _help, ...asked } = options;
  return { context, words, asked };
}

/** The longest --op taken (as the contract's op). */
const MAX_OP_LENGTH = 200;

export async function main(argv: string[], interruption: Interruption): Promise<number> {
  let json = argv.includes('--json');
  let engine: Engine | undefined;
  let progressLine: ReadProgressLine | undefined;
  try {
    const { words, options } = parseCommandLine(argv);
    json = options.json === true;
    if (options.help || words.length === 0) {
      out(`${helpText()}\n`);
      return words.length === 0 && !options.help ? 2 : 0;
    }
    const found = findCommand(words);
    if (!found) throw new EngineError('BAD_INPUT', `Unknown command ${JSON.stringify(words.join(' '))} (see 'tension --help').`);
    const notTaken = optionsNotTaken(found.command, options);
    if (notTaken.length > 0) {
      throw new EngineError('BAD_INPUT', `'tension ${found.name}' does not take ${notTaken.map((name) => `--${name}`).join(', ')} (usage: tension ${found.command.usage}). Nothing was changed.`, { kept: 'Nothing was changed.' });
    }
    // An empty id (an unset shell variable) would make every later change given one answer as done.
    if (options.op !== undefined && options.op.trim() === '') throw new EngineError('BAD_INPUT', '--op is empty (an unset shell variable?): give the change an id, or leave --op out. Nothing was changed.', { kept: 'Nothing was changed.' });
    // As long as a window's op and an MCP operationId may be (shared/contract.ts): it is journaled with every retry's answer.
    if (options.op !== undefined && options.op.length > MAX_OP_LENGTH) throw new EngineError('BAD_INPUT', `--op is ${options.op.length} characters long: an operation id is at most ${MAX_OP_LENGTH}. Nothing was changed.`, { kept: 'Nothing was changed.' });
    const extra = wordsNotTaken(found.command, found.name, found.rest);
    if (extra.length > 0) {
      throw new EngineError('BAD_INPUT', `'tension ${found.name}' does not take the words ${extra.map((word) => JSON.stringify(word.slice(0, 60))).join(' ')} (usage: tension ${found.command.usage}; quote a text that has spaces). Nothing was changed.`, { kept: 'Nothing was changed.' });
    }
    const context = validateContextName(options.context ?? DEFAULT_CONTEXT);
    const layout = resolveLayout({ data: options.data, memoryPath: options['memory-path'] });
    const readOnly = found.command.readOnly;
    const writes = !(typeof readOnly === 'function' ? readOnly(options) : readOnly === true);
    // Looked at before the open: a reading command's engine may make nothing, but it reads.
    const absent = writes ? undefined : absentData(layout, options.context === undefined ? undefined : context);
    checkDataFolder(layout, { create: writes });
    // The engine is loaded only now: --help, or a mistyped command, does not pay for it.
    const { Engine, requestFingerprint, runAsOperation } = await import('./cli/engineModules.ts');
    // Its default: the bundle makes Node's modules CommonJS (build/cliBundle.mjs), without named exports.
    const { isatty } = (await import('node:tty')).default;
    progressLine = isatty(2) ? readProgressLine(err) : undefined;
    engine = await Engine.open({
      layout,
      origin: 'cli',
      // Reading commands do not write: no lock, no journal started in a peer's folder.
      readOnly: !writes,
      rewriteDelayMs: -1,
      lockTimeoutMs: envNumber('TENSION_LOCK_TIMEOUT_MS'),
      lockStaleMs: envNumber('TENSION_LOCK_STALE_MS'),
      // On a terminal, how far a long read of a large file has gone (a first open of 100k charts).
      ...(progressLine ? { onReadProgress: progressLine.tell } : {}),
    });
    // A write's context file is read before its lock is taken, and a journal to start is made
    // without it (Engine.prepareToWrite): other processes wait for the lock only while the change
    // is made, not while a large file is parsed or copied.
    // It may wait for the lock: a signal ends that wait as it ends the command's.
    if (writes && found.command.editsContext === true) await Promise.race([engine.prepareToWrite(context, () => interruption.signal.aborted), interruption.stopped]);
    const commandEngine = stoppableEngine(engine, interruption.signal);
    // With --op, what it was given for: the same id with another command line is refused (operationIntent.ts).
    const run = runAsOperation(options.op, () => requestFingerprint(`tension ${found.name}`, commandAsked(found.rest, options, context)), () =>
      found.command.run({ engine: commandEngine, args: found.rest, options, context, signal: interruption.signal }),
    );
    const result = found.command.stopsItself ? await run : await Promise.race([run, interruption.stopped]);
    // The command's changes are committed: a context file that cannot be rewritten now is a
    // warning (the journal holds every change; the next writer rewrites the file).
    let notRefreshed: EngineError | undefined;
    try {
      await engine.close();
    } catch (error) {
      notRefreshed = asEngineError(error, 'Rewriting the context files', layout.root, 'Every change is kept in the journal.');
    }
    engine = undefined;
    if (json) {
      const document = notRefreshed && typeof result.json === 'object' && result.json !== null && !Array.isArray(result.json) ? { ...result.json, warning: notRefreshed.toJSON() } : result.json;
      out(`${JSON.stringify(document)}\n`);
    } else {
      out(`${textOf(result)}\n`);
    }
    if (notRefreshed) {
      err(`tension: warning: the change is saved (in the journal), but: ${notRefreshed.message.split('\n')[0]}\n`);
    }
    const where = writes ? foundWhere(layout) : undefined;
    if (where) err(`tension: data folder ${layout.root} (${where}; --data DIR chooses another)\n`);
    if (absent) err(`tension: ${absent}\n`);
    for (const warning of result.warnings ?? []) err(`tension: warning: ${warning}\n`);
    if (result.exitCode) err(`tension: ${found.name} found problems\n`);
    return result.exitCode ?? 0;
  } catch (error) {
    // A read that stopped part-way leaves its line: the message goes on a line of its own.
    progressLine?.wipe();
    if (interruption.received) {
      await closeInterrupted(engine);
      const stopped = interruption.signal.reason as EngineError;
      err(`tension: ${stopped.message}\n`);
      if (json) out(`${JSON.stringify({ error: { ...stopped.toJSON(), code: 'INTERRUPTED' } })}\n`);
      return interruption.exitCode();
    }
    if (engine) await engine.close().catch(() => undefined);
    const failure = error instanceof EngineError ? error : new EngineError('IO_ERROR', `Unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    err(`tension: ${failure.message.split('\n')[0]}\n`);
    if (json) out(`${JSON.stringify({ error: failure.toJSON() })}\n`);
    return exitCodes[failure.code] ?? 1;
  }
}

const interruption = listenForInterruption((code) => {
  err('tension: interrupted again: stopping now (every committed change is kept)\n');
  process.exit(code);
});

main(process.argv.slice(2), interruption).then(
  (code) => {
    interruption.dispose();
    // An interrupted command exits now: a wait for another process's lock may still be pending.
    if (interruption.received) process.exit(code);
    // Everything is printed (written straight to the descriptors) and the engine is closed: exit
    // now rather than when the event loop drains, which took 10-40 ms more after a 1k-chart
    // `chart list` here. Output handed to a stream (a descriptor left non-blocking) is still on
    // its way: that waits for the natural exit.
    if (!streamed()) process.exit(outputFailed ?? code);
    process.exitCode = outputFailed ?? code;
  },
  (error: unknown) => {
    err(`tension: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
