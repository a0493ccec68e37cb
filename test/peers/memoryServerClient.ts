// A minimal MCP client for the REAL reference server `@modelcontextprotocol/server-memory`,
// speaking its stdio JSON-RPC protocol directly (newline-delimited JSON-RPC 2.0): initialize,
// notifications/initialized, then tools/call. The server re-reads MEMORY_FILE_PATH on every
// call and rewrites the whole file (tmp + rename, no final newline, no metadata) on every
// change, which is exactly the peer behaviour the interoperability tests need.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/runCli.ts';
import { tempDir } from '../helpers/tempRoot.ts';

export const serverEntry = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
/** The real COAIA peer kept beside the checkout (../shared/peers/coaia-narrative, see its README). */
export const coaiaNarrativeEntry = path.resolve(repoRoot, '..', 'shared', 'peers', 'coaia-narrative', 'dist', 'index.js');

/** The shapes the server's tools take and return (from its dist/index.js zod schemas). */
export interface ServerEntity {
  name: string;
  entityType: string;
  observations: string[];
}

export interface ServerRelation {
  from: string;
  to: string;
  relationType: string;
}

export interface ServerGraph {
  entities: ServerEntity[];
  relations: ServerRelation[];
}

export interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** A tool result's text (the COAIA servers answer in text only, no structuredContent). */
export const resultText = (result: ToolResult): string => result.content.map((c) => c.text).join('');

export class ToolError extends Error {
  constructor(
    readonly tool: string,
    readonly result: ToolResult,
  ) {
    super(`${tool} failed: ${result.content.map((c) => c.text).join(' ')}`);
  }
}

type Peer = 'reference' | 'coaia-narrative';
/** A tool and its arguments. */
export type ToolCall = readonly [string, Record<string, unknown>];

/** Makes the calls with a fresh server over `file`, closed after; a tool's error throws (ToolError). Each answer's text. */
export async function callsOn(file: string, peer: Peer, calls: readonly ToolCall[]): Promise<string[]> {
  const server = await MemoryServer.start(file, peer);
  try {
    const answers: string[] = [];
    for (const [tool, args] of calls) {
      const result = await server.callRaw(tool, args);
      if (result.isError) throw new ToolError(tool, result);
      answers.push(resultText(result));
    }
    return answers;
  } finally {
    await server.close();
  }
}

/**
 * What the server writes when it makes the calls on `file` as it is now, which is left as it
 * is: a peer that read the file now and whose write lands later, when the test puts `text` in
 * place (an exact interleaving with what the test does meanwhile). Each answer's text too.
 */
export async function peerVersionAfter(file: string, peer: Peer, calls: readonly ToolCall[]): Promise<{ text: string; answers: string[] }> {
  const seen = path.join(tempDir(), path.basename(file)); // removed with the test's other temporary folders
  fs.copyFileSync(file, seen);
  const answers = await callsOn(seen, peer, calls);
  return { text: fs.readFileSync(seen, 'utf8'), answers };
}

const PROTOCOL_VERSION = '2025-06-18';

export class MemoryServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: JsonRpcResponse) => void; reject: (e: Error) => void }>();
  private stderr = '';
  private exited: Error | undefined;

  private constructor(
    readonly memoryFile: string,
    peer: Peer = 'reference',
  ) {
    if (!path.isAbsolute(memoryFile)) throw new Error('MEMORY_FILE_PATH must be absolute (the server resolves relative paths against its own install folder)');
    this.child =
      peer === 'reference'
        ? spawn(process.execPath, [serverEntry], { env: { ...process.env, MEMORY_FILE_PATH: memoryFile }, stdio: ['pipe', 'pipe', 'pipe'] })
        : spawn(process.execPath, [coaiaNarrativeEntry, '--memory-path', memoryFile], {
            // Its chart tools and the knowledge-graph ones (create_entities, delete_entities …).
            env: { ...process.env, COAIA_TOOLS: 'STC_TOOLS KG_TOOLS' },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`memory server exited (code ${code}, signal ${signal}); stderr: ${this.stderr}`);
      for (const { reject } of this.waiting.values()) reject(this.exited);
      this.waiting.clear();
    });
  }

  /** Starts the server on `memoryFile` and completes the MCP handshake. */
  static async start(memoryFile: string, peer: Peer = 'reference'): Promise<MemoryServer> {
    const server = new MemoryServer(memoryFile, peer);
    const init = (await server.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'tension-desk-interop-test', version: '1.0.0' },
    })) as { protocolVersion: string; capabilities: { tools?: unknown }; serverInfo: { name: string } };
    if (!init.capabilities.tools) throw new Error(`the memory server offers no tools: ${JSON.stringify(init)}`);
    server.notify('notifications/initialized', {});
    return server;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let newline = this.buffer.indexOf('\n'); newline !== -1; newline = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') continue;
      const message = JSON.parse(line) as Partial<JsonRpcResponse> & { method?: string };
      if (typeof message.id !== 'number' || message.method !== undefined) continue; // notifications / server requests
      const waiter = this.waiting.get(message.id);
      if (!waiter) continue;
      this.waiting.delete(message.id);
      waiter.resolve(message as JsonRpcResponse);
    }
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }

  private notify(method: string, params: Record<string, unknown>): void {
    this.send({ method, params });
  }

  private async request(method: string, params: Record<string, unknown>, timeoutMs = 15_000): Promise<unknown> {
    if (this.exited) throw this.exited;
    const id = this.nextId++;
    const response = await new Promise<JsonRpcResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`memory server did not answer ${method} within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ id, method, params });
    });
    if (response.error) throw new Error(`${method}: JSON-RPC error ${response.error.code}: ${response.error.message}`);
    return response.result;
  }

  /** Calls a tool and returns its raw result (errors are results with isError: true). */
  async callRaw(tool: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    return (await this.request('tools/call', { name: tool, arguments: args })) as ToolResult;
  }

  /** Calls a tool; a tool error (isError) throws ToolError. */
  async call(tool: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const result = await this.callRaw(tool, args);
    if (result.isError) throw new ToolError(tool, result);
    return result.structuredContent ?? {};
  }

  async listTools(): Promise<string[]> {
    const result = (await this.request('tools/list', {})) as { tools: { name: string }[] };
    return result.tools.map((t) => t.name);
  }

  async createEntities(entities: ServerEntity[]): Promise<ServerEntity[]> {
    return (await this.call('create_entities', { entities })).entities as ServerEntity[];
  }

  async addObservations(observations: { entityName: string; contents: string[] }[]): Promise<{ entityName: string; addedObservations: string[] }[]> {
    return (await this.call('add_observations', { observations })).results as { entityName: string; addedObservations: string[] }[];
  }

  async createRelations(relations: ServerRelation[]): Promise<ServerRelation[]> {
    return (await this.call('create_relations', { relations })).relations as ServerRelation[];
  }

  async deleteEntities(entityNames: string[]): Promise<void> {
    await this.call('delete_entities', { entityNames });
  }

  async deleteObservations(deletions: { entityName: string; observations: string[] }[]): Promise<void> {
    await this.call('delete_observations', { deletions });
  }

  async readGraph(): Promise<ServerGraph> {
    const result = await this.call('read_graph');
    return { entities: result.entities as ServerEntity[], relations: result.relations as ServerRelation[] };
  }

  async searchNodes(query: string): Promise<ServerGraph> {
    const result = await this.call('search_nodes', { query });
    return { entities: result.entities as ServerEntity[], relations: result.relations as ServerRelation[] };
  }

  /** Ends the server (closing stdin makes the stdio transport exit; SIGTERM if it lingers). */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 2_000);
    await done;
    clearTimeout(timer);
  }
}
