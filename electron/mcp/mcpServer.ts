// `tension mcp`: an MCP server over stdio for AI assistants, on the same engine as the app and
// the CLI. Its tools are the reference memory server's and coaia-narrative's (same names and
// arguments, our semantics) and a few of ours; every write is a locked, journaled transaction
// with origin `mcp`, acknowledged once durable, and notes the client that asked for it. While the
// client is quiet, the contexts it used are refreshed now and then, so a peer's rewrite that
// dropped records of ours is repaired in the file (quietRefresh.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Engine } from '../core/engine.ts';
import { ChartService } from '../core/charts/chartService.ts';
import type { DataLayout } from '../core/dataRoot.ts';
import type { CommandInput, CommandResult } from '../cli/commands.ts';
import { clientNote, engineNotingClient } from './clientNotedEngine.ts';
import { engineRefusingRetiredNames } from '../core/contexts/retiredNameGuard.ts';
import { CallsInFlight, registerTools, type AnyToolSpec, type ToolEnvironment } from './toolRegistry.ts';
import { graphTools } from './graphTools.ts';
import { chartChangeTools } from './chartChangeTools.ts';
import { chartReadTools } from './chartReadTools.ts';
import { dataFolderTools } from './dataFolderTools.ts';
import { QuietRefresh } from './quietRefresh.ts';

/** Every tool, in the order clients list them. */
export const allTools: readonly AnyToolSpec[] = [...graphTools, ...chartChangeTools, ...chartReadTools, ...dataFolderTools];

const INSTRUCTIONS = [
  'Tension Desk keeps structural tension charts (Robert Fritz) safe: every change is journaled before it is acknowledged, nothing acknowledged is lost, and every past version is kept.',
  'A chart is a desired outcome, an honest current reality, and the action steps between them; a step can be telescoped into a sub-chart of its own.',
  'Start with list_active_charts; get_chart shows a chart in full. Every tool but the data-folder ones takes an optional `context` (a chart file; list_contexts lists them).',
].join(' ');

function log(message: string): void {
  // stdout is the MCP channel: everything else goes to stderr, which clients keep as the server's log.
  process.stderr.write(`tension mcp: ${message}\n`);
}

function packageVersion(): string {
  try {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0'; // bundled without its package.json: the version is only informative
  }
}

/** Resolves when the client goes (stdin ends) or the process is asked to stop. */
function endOfSession(): { ended: Promise<string>; dispose(): void } {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  let finish: (reason: string) => void = () => undefined;
  const ended = new Promise<string>((resolve) => (finish = resolve));
  const onEnd = () => finish('the client closed the connection');
  // A write to a client that has gone fails with EPIPE: that is the end of the session too, not a crash.
  const onOutputError = (error: Error) => finish(`the client's end of the connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`);
  const onSignal = (signal: NodeJS.Signals) => finish(`stopped by ${signal}`);
  process.stdin.once('end', onEnd);
  process.stdin.once('close', onEnd);
  process.stdout.on('error', onOutputError);
  for (const signal of signals) process.once(signal, onSignal);
  return {
    ended,
    dispose() {
      process.stdin.off('end', onEnd);
      process.stdin.off('close', onEnd);
      for (const signal of signals) process.off(signal, onSignal);
      // Left listening on stdout: answers to calls still running may meet a closed pipe.
    },
  };
}

export interface McpServeOptions {
  readonly layout: DataLayout;
  /** The context a tool call works in when it names none. */
  readonly context: string;
}

/** Serves one client over stdin/stdout until it goes; every change is flushed before this returns. */
export async function serveMcp(options: McpServeOptions): Promise<{ reason: string }> {
  const clock = () => new Date();
  const engine = await Engine.open({
    layout: options.layout,
    origin: 'mcp',
    onBackgroundError: (error) => log(`rewriting a context file failed (every change is kept in the journal): ${error.message}`),
  });
  if (engine.readOnly) log(`the data folder ${options.layout.root} is read-only: ${engine.readOnlyReason}`);
  const server = new McpServer({ name: 'tension-desk', version: packageVersion() }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  const noted = engineNotingClient(engineRefusingRetiredNames(engine), () => clientNote(server.server.getClientVersion()));
  const refresh = new QuietRefresh(engine, (error) => log(`refreshing a context: ${error instanceof Error ? error.message : String(error)}`));
  const env: ToolEnvironment = { engine: noted, charts: new ChartService(noted, clock), defaultContext: options.context, clock, contextUsed: (context) => refresh.use(context) };
  const inFlight = new CallsInFlight();
  registerTools(server, env, allTools, inFlight);

  const session = endOfSession();
  await server.connect(new StdioServerTransport());
  refresh.start();
  const reason = await session.ended;
  session.dispose();
  try {
    await inFlight.settled();
    await refresh.stop();
    await server.close();
  } finally {
    await engine.close();
  }
  return { reason };
}

/** The `tension mcp` command (loaded lazily by electron/cli/commands.ts). */
export async function runMcpCommand(input: CommandInput): Promise<CommandResult> {
  const { reason } = await serveMcp({ layout: input.engine.layout, context: input.context });
  // The CLI prints its result line on stdout after this: the client may be gone by then, which
  // the listener serveMcp left on stdout turns into nothing worse than a lost line.
  log(`stopped (${reason}); every change is saved`);
  return { json: { ok: true, stopped: reason }, text: '' };
}
