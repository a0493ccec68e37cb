// `tension`: the command-line front end of the storage engine (no GUI, no electron).
// Exit 0 on success; on failure a non-zero code and one clear line on stderr. With --json,
// exactly one JSON document on stdout (on failure: {"error":{code,message,file,kept}}).
import { Engine } from './core/engine.ts';
import { EngineError } from './core/errors.ts';
import { DEFAULT_CONTEXT, resolveLayout, validateContextName } from './core/dataRoot.ts';
import { parseCommandLine } from './cli/arguments.ts';
import { findCommand, helpText } from './cli/commands.ts';

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

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

export async function main(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  let engine: Engine | undefined;
  try {
    const { words, options } = parseCommandLine(argv);
    json = options.json === true;
    if (options.help || words.length === 0) {
      process.stdout.write(`${helpText()}\n`);
      return words.length === 0 && !options.help ? 2 : 0;
    }
    const found = findCommand(words);
    if (!found) throw new EngineError('BAD_INPUT', `Unknown command ${JSON.stringify(words.join(' '))} (see 'tension --help').`);
    const context = validateContextName(options.context ?? DEFAULT_CONTEXT);
    const layout = resolveLayout({ data: options.data, memoryPath: options['memory-path'] });
    engine = await Engine.open({
      layout,
      origin: 'cli',
      // Reading commands do not write: no lock, no journal started in a peer's folder.
      readOnly: found.command.readOnly === true,
      rewriteDelayMs: -1,
      lockTimeoutMs: envNumber('TENSION_LOCK_TIMEOUT_MS'),
      lockStaleMs: envNumber('TENSION_LOCK_STALE_MS'),
    });
    const result = await found.command.run({ engine, args: found.rest, options, context });
    await engine.close();
    engine = undefined;
    process.stdout.write(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    if (result.exitCode) process.stderr.write(`tension: ${found.name} found problems\n`);
    return result.exitCode ?? 0;
  } catch (error) {
    if (engine) await engine.close().catch(() => undefined);
    const failure = error instanceof EngineError ? error : new EngineError('IO_ERROR', `Unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    process.stderr.write(`tension: ${failure.message.split('\n')[0]}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: failure.toJSON() })}\n`);
    return exitCodes[failure.code] ?? 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tension: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
