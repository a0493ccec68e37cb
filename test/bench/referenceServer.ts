// Drives the real @modelcontextprotocol/server-memory over its stdio JSON-RPC, as an AI
// client does: initialize, notifications/initialized, then tools/call create_entities. Each
// call is timed from the request written to the response read (the server loads the whole
// file, appends, and rewrites the whole file before it answers).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { now } from './stats.ts';

const require = createRequire(import.meta.url);

export function referenceServerScript(): string {
  const pkg = require.resolve('@modelcontextprotocol/server-memory/package.json');
  return path.join(path.dirname(pkg), 'dist', 'index.js');
}

interface RpcResponse {
  id?: number;
  result?: { isError?: boolean; content?: { text?: string }[] };
  error?: { message: string };
}

export class ReferenceServer {
  private nextId = 1;
  private buffer = '';
  private waiting = new Map<number, (response: RpcResponse) => void>();
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      this.buffer += text;
      for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (line === '') continue;
        const message = JSON.parse(line) as RpcResponse;
        if (message.id === undefined) continue; // a notification (resource updated)
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.stderr += text;
    });
  }

  static async start(memoryFile: string): Promise<ReferenceServer> {
    const child = spawn(process.execPath, [referenceServerScript()], {
      env: { ...process.env, MEMORY_FILE_PATH: memoryFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const server = new ReferenceServer(child);
    await server.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'tension-desk-bench', version: '0.1.0' },
    });
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return server;
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  request(method: string, params: Record<string, unknown>): Promise<RpcResponse> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reference server: no answer to ${method} in 120 s; stderr: ${this.stderr.slice(-500)}`)), 120_000);
      this.waiting.set(id, (response) => {
        clearTimeout(timer);
        if (response.error) reject(new Error(`reference server: ${method} failed: ${response.error.message}`));
        else if (response.result?.isError) reject(new Error(`reference server: ${method} failed: ${response.result.content?.[0]?.text ?? 'error'}`));
        else resolve(response);
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** One create_entities call with one entity; returns its time in ms. */
  async createEntity(entity: { name: string; entityType: string; observations: string[] }): Promise<number> {
    const start = now();
    await this.request('tools/call', { name: 'create_entities', arguments: { entities: [entity] } });
    return now() - start;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
