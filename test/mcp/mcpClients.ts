// MCP clients for the tests: the SDK's own Client over StdioClientTransport, spawning the real
// server processes, as an assistant's host does. Ours is `node out/cli/tension.mjs mcp
// ...` (the tsx loader in the server process itself, as test/helpers/runCli.ts starts scripts);
// the peers are the real reference server and the real coaia-narrative.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { cliEntry, repoRoot } from '../helpers/runCli.ts';
import { coaiaNarrativeEntry, serverEntry } from '../peers/memoryServerClient.ts';

export class ToolFailure extends Error {
  constructor(
    readonly tool: string,
    readonly text: string,
  ) {
    super(`${tool} failed: ${text}`);
  }
}

export interface McpConnection {
  readonly client: Client;
  /** What the server wrote on stderr so far (its log). */
  stderr(): string;
  listTools(): Promise<Tool[]>;
  /** The raw result (a tool error is a result with isError). */
  callRaw(tool: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The result's JSON (structured content, else the text parsed); a tool error throws ToolFailure. */
  call<T = Record<string, unknown>>(tool: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

async function connect(command: string, args: string[], env: Record<string, string>, clientName: string): Promise<McpConnection> {
  const transport = new StdioClientTransport({ command, args, cwd: repoRoot, env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: clientName, version: '1.2.3' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`could not start ${args.join(' ')}: ${String(error)}; stderr: ${stderr}`);
  }
  const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  const connection: McpConnection = {
    client,
    stderr: () => stderr,
    listTools: async () => (await client.listTools()).tools,
    callRaw: async (tool, toolArgs = {}) => (await client.callTool({ name: tool, arguments: toolArgs })) as CallToolResult,
    async call<T>(tool: string, toolArgs: Record<string, unknown> = {}): Promise<T> {
      const result = await connection.callRaw(tool, toolArgs);
      if (result.isError) throw new ToolFailure(tool, textOf(result));
      if (result.structuredContent) return result.structuredContent as T;
      const text = textOf(result);
      try {
        return JSON.parse(text) as T;
      } catch {
        return { text } as T;
      }
    },
    close: () => client.close(),
  };
  return connection;
}

/** Our server: `tension mcp` with the given data options, e.g. ['--data', dir, '--context', 'work']. */
export function startTensionMcp(options: string[], clientName = 'tension-test-assistant'): Promise<McpConnection> {
  return connect(process.execPath, [cliEntry, 'mcp', ...options], {}, clientName);
}

/** The real reference server on a memory file (MEMORY_FILE_PATH must be absolute). */
export function startReferenceMcp(file: string): Promise<McpConnection> {
  return connect(process.execPath, [serverEntry], { MEMORY_FILE_PATH: file }, 'tension-test-peer');
}

/** The real coaia-narrative with its chart and knowledge-graph tools (manage_action_step is in no group of its own). */
export function startCoaiaNarrativeMcp(file: string): Promise<McpConnection> {
  return connect(process.execPath, [coaiaNarrativeEntry, '--memory-path', file], { COAIA_TOOLS: 'STC_TOOLS KG_TOOLS manage_action_step' }, 'tension-test-peer');
}

/** Polls until `check` holds (the context file is rewritten shortly after a commit, coalesced). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
