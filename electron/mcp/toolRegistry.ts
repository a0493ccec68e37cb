// How a tool of `tension mcp` is declared and served. Each tool names its own arguments; the
// registry adds `context` (every tool that works on one context) and `operationId` (every tool
// that changes a context), makes the arguments strict (an argument the tool does not know is an error that
// names it: an assistant that misspells one must learn it at once, not have it ignored), and
// turns the tool's value or EngineError into an MCP result.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../core/engine.ts';
import type { ChartService } from '../core/charts/chartService.ts';
import type { RecordSet } from '../core/recordSet.ts';
import type { ContextStore } from '../core/contextStore.ts';
import { EngineError } from '../core/errors.ts';
import { validateContextName } from '../core/dataRoot.ts';
import { contextOnDisk } from '../core/dataFolder.ts';
import { requestFingerprint, runAsOperation } from '../core/operationIntent.ts';

export interface ToolEnvironment {
  /** The engine every tool reads and writes through (its commits name the MCP client). */
  readonly engine: Engine;
  readonly charts: ChartService;
  /** The server's context (`--context`, else `default`): used when a call names none. */
  readonly defaultContext: string;
  readonly clock: () => Date;
  /** Told of every context a call works in (the server keeps those files repaired while it is quiet). */
  readonly contextUsed: (context: string) => void;
}

/** What a tool's `run` gets besides its own arguments. */
export interface ToolCall {
  readonly env: ToolEnvironment;
  /** The context named by the call, or the server's. */
  readonly context: string;
  /** The engine's operation id for a call with `operationId`: a retry with the same id applies once. */
  readonly op: string | undefined;
}

/** Reads the call's context (fresh: under the lock, after other processes' changes). */
export function readContext<T>(call: ToolCall, reader: (state: RecordSet, store: ContextStore) => T): Promise<T> {
  return call.env.engine.read(call.context, reader);
}

export interface ToolSpec<Shape extends z.ZodRawShape> {
  readonly name: string;
  /** Short: what the tool does and what it returns, so an assistant picks the right one. */
  readonly description: string;
  /** The tool's own arguments (`context` and `operationId` are added by `scope` and `writes`). */
  readonly arguments: Shape;
  /** 'context': works on one context and takes `context`; 'root': the whole data folder. */
  readonly scope: 'context' | 'root';
  readonly writes: boolean;
  /** Writes that remove something (an MCP hint for clients that ask before such calls). */
  readonly destructive?: boolean;
  /** Calling it again with the same arguments changes nothing more (default: true for reads only). */
  readonly idempotent?: boolean;
  /** The shape of the structured result, when the peer tool declares one (the reference server's). */
  readonly output?: z.ZodRawShape;
  run(args: z.output<z.ZodObject<Shape>>, call: ToolCall): Promise<Record<string, unknown>>;
}

/** A tool whose argument types are checked where it is written, listed with the others. */
export type AnyToolSpec = ToolSpec<z.ZodRawShape>;

export function defineTool<Shape extends z.ZodRawShape>(spec: ToolSpec<Shape>): AnyToolSpec {
  return spec as unknown as AnyToolSpec;
}

const contextArgument = z.string().describe('The context (chart file) to work in, e.g. "work"; default: the server\'s (--context, else "default").');
const operationIdArgument = z
  .string()
  .min(1)
  .max(200)
  .describe('Optional id of this change, chosen by you: a retry with the same operationId is not applied twice.');

/** The arguments object: strict, and an unknown argument's error names it and lists the known ones. */
export function strictArguments<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ') || 'no arguments';
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: this tool takes ${known}. Nothing was changed.` : undefined),
  });
}

/** An object inside the arguments (an entity, a relation …): strict as well. */
export function strictItem<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${known})` : undefined),
  });
}

export function fullArguments(spec: AnyToolSpec): z.ZodRawShape {
  return {
    ...spec.arguments,
    ...(spec.scope === 'context' ? { context: contextArgument.optional() } : {}),
    // Operation ids are the journal's: they make a change to one context apply once.
    ...(spec.writes && spec.scope === 'context' ? { operationId: operationIdArgument.optional() } : {}),
  };
}

/** Tool calls still running: the server finishes them before it closes the engine. */
export class CallsInFlight {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

export function registerTools(server: McpServer, env: ToolEnvironment, specs: readonly AnyToolSpec[], inFlight: CallsInFlight): void {
  for (const spec of specs) {
    const annotations: ToolAnnotations = {
      readOnlyHint: !spec.writes,
      destructiveHint: spec.destructive === true,
      idempotentHint: spec.idempotent ?? !spec.writes,
      openWorldHint: false,
    };
    const inputSchema = strictArguments(fullArguments(spec));
    server.registerTool(
      spec.name,
      { description: spec.description, inputSchema, ...(spec.output ? { outputSchema: z.object(spec.output) } : {}), annotations },
      (args: Record<string, unknown>) => inFlight.track(runTool(spec, env, args)),
    );
  }
}

async function runTool(spec: AnyToolSpec, env: ToolEnvironment, args: Record<string, unknown>): Promise<CallToolResult> {
  try {
    // `context` and `operationId` are the registry's only where it added them (verify_data has a
    // `context` of its own).
    const added = new Set(Object.keys(fullArguments(spec)).filter((key) => !(key in spec.arguments)));
    const own = Object.fromEntries(Object.entries(args).filter(([key]) => !added.has(key)));
    const context = added.has('context') ? args.context : undefined;
    const operationId = added.has('operationId') ? args.operationId : undefined;
    const call: ToolCall = {
      env,
      context: validateContextName(context ?? env.defaultContext),
      op: typeof operationId === 'string' ? `mcp:${spec.name}:${operationId}` : undefined,
    };
    if (spec.scope === 'context') env.contextUsed(call.context);
    // With an operationId, what it was given for: the same id with other arguments is refused (operationIntent.ts).
    const value = await runAsOperation(call.op, () => requestFingerprint(spec.name, { context: call.context, own }), () => spec.run(own as Record<string, unknown>, call));
    // Indented for reading, unless large (a list of thousands of charts): then as compact as it goes.
    const compact = JSON.stringify(value);
    const content: CallToolResult['content'] = [{ type: 'text', text: compact.length > 20_000 ? compact : JSON.stringify(value, null, 2) }];
    // A context named by the call that is not there: the answer is as for an empty one, and
    // says so (an assistant would take a mistyped name for "no charts", and make them again).
    if (spec.scope === 'context' && !spec.writes && context !== undefined && !contextOnDisk(env.engine.layout, call.context)) {
      content.push({ type: 'text', text: `Note: there is no context ${JSON.stringify(call.context)} in this data folder (a mistyped name? list_contexts lists them); the answer is as for an empty context.` });
    }
    return { content, structuredContent: value };
  } catch (error) {
    return { content: [{ type: 'text', text: failureText(error) }], isError: true };
  }
}

/** One message an assistant can act on: the code, what failed, and what was kept. */
export function failureText(error: unknown): string {
  if (error instanceof EngineError) {
    const kept = error.kept ?? (['BAD_INPUT', 'NOT_FOUND', 'CONFLICT', 'BUSY'].includes(error.code) ? 'Nothing was changed.' : undefined);
    return `${error.code}: ${error.message}${kept && !error.message.includes(kept) ? ` ${kept}` : ''}`;
  }
  // Not one of ours: a bug. The stack goes to stderr (the client's log), the message to the assistant.
  process.stderr.write(`tension mcp: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  return `UNEXPECTED: ${(error as Error)?.message ?? String(error)}. Changes acknowledged before are kept.`;
}
