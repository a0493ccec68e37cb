// The tools `tension mcp` offers, as an assistant's host sees them: the reference server's and
// coaia-narrative's tools under the same names with the same arguments (checked against the real
// servers' own listings), plus `context` and `operationId`, every schema strict, and ours.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { tempDir, removeTempDirs } from '../helpers/tempRoot.ts';
import { startCoaiaNarrativeMcp, startReferenceMcp, startTensionMcp, type McpConnection } from './mcpClients.ts';

const GRAPH_TOOLS = ['create_entities', 'create_relations', 'add_observations', 'delete_entities', 'delete_observations', 'delete_relations', 'read_graph', 'search_nodes', 'open_nodes'];
const CHART_TOOLS = [
  'create_structural_tension_chart',
  'add_action_step',
  'manage_action_step',
  'telescope_action_step',
  'remove_action_step',
  'mark_action_complete',
  'update_action_progress',
  'update_current_reality',
  'update_desired_outcome',
  'get_chart',
  'get_chart_progress',
  'get_action_step',
  'list_active_charts',
];
const OUR_TOOLS = ['get_chart_history', 'get_chart_as_of', 'verify_data', 'list_contexts', 'list_backups', 'create_backup'];
const ROOT_TOOLS = ['verify_data', 'list_contexts', 'list_backups', 'create_backup'];
const READ_ONLY = ['read_graph', 'search_nodes', 'open_nodes', 'get_chart', 'get_chart_progress', 'get_action_step', 'list_active_charts', 'get_chart_history', 'get_chart_as_of', 'verify_data', 'list_contexts', 'list_backups'];

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema; required?: string[]; additionalProperties?: unknown };

/** A schema's shape without its descriptions: types, properties, items, required. */
function shapeOf(schema: Schema | undefined, drop: readonly string[] = []): unknown {
  if (!schema) return undefined;
  const properties = schema.properties ? Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !drop.includes(k)).map(([k, v]) => [k, shapeOf(v)])) : undefined;
  return {
    type: schema.type,
    ...(properties && Object.keys(properties).length ? { properties } : {}),
    ...(schema.items ? { items: shapeOf(schema.items) } : {}),
    ...(schema.required?.length ? { required: [...schema.required].sort() } : {}),
  };
}

/** Every object in the schema refuses properties it does not name. */
function strictEverywhere(schema: Schema | undefined, at = 'arguments'): string[] {
  if (!schema) return [];
  const problems = schema.type === 'object' && schema.additionalProperties !== false ? [`${at} accepts unknown properties`] : [];
  for (const [key, inner] of Object.entries(schema.properties ?? {})) problems.push(...strictEverywhere(inner, `${at}.${key}`));
  if (schema.items) problems.push(...strictEverywhere(schema.items, `${at}[]`));
  return problems;
}

let ours: Tool[];
let reference: Tool[];
let coaia: Tool[];
let server: McpConnection;
let peers: McpConnection[] = [];

beforeAll(async () => {
  const dir = tempDir();
  const started = await Promise.all([
    startTensionMcp(['--data', path.join(dir, '.coaia')]),
    startReferenceMcp(path.join(dir, 'reference.jsonl')),
    startCoaiaNarrativeMcp(path.join(dir, 'narrative.jsonl')),
  ]);
  server = started[0];
  peers = started.slice(1);
  [ours, reference, coaia] = await Promise.all([server.listTools(), peers[0]!.listTools(), peers[1]!.listTools()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([server, ...peers].map((c) => c?.close()));
  removeTempDirs();
});

const named = (tools: Tool[], name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in ${tools.map((t) => t.name).join(', ')}`);
  return tool;
};

describe('the tools tension mcp offers', () => {
  it('are the reference server\'s, coaia-narrative\'s chart tools and ours, each listed once', () => {
    expect(ours.map((t) => t.name).sort()).toEqual([...GRAPH_TOOLS, ...CHART_TOOLS, ...OUR_TOOLS].sort());
  });

  it.each(GRAPH_TOOLS)('%s takes the reference server\'s arguments, plus context (and operationId when it writes)', (name) => {
    const theirs = named(reference, name).inputSchema as Schema;
    const mine = named(ours, name).inputSchema as Schema;
    expect(shapeOf(mine, ['context', 'operationId'])).toEqual(shapeOf(theirs));
    expect(Object.keys(mine.properties ?? {}).filter((k) => !(k in (theirs.properties ?? {})))).toEqual(READ_ONLY.includes(name) ? ['context'] : ['context', 'operationId']);
  });

  it.each(GRAPH_TOOLS)('%s answers in the reference server\'s result shape (with metadata allowed)', (name) => {
    const theirs = named(reference, name).outputSchema as Schema;
    const mine = named(ours, name).outputSchema as Schema;
    for (const [key, value] of Object.entries(theirs.properties ?? {})) {
      expect(mine.properties?.[key]?.type, `${name} result field ${key}`).toEqual(value.type);
      if (value.items?.properties) for (const field of Object.keys(value.items.properties)) expect(mine.properties?.[key]?.items?.properties, `${name}.${key}[]`).toHaveProperty(field);
    }
  });

  it.each(CHART_TOOLS)('%s takes coaia-narrative\'s arguments, plus context and operationId', (name) => {
    const theirs = named(coaia, name).inputSchema as Schema;
    const mine = named(ours, name).inputSchema as Schema;
    expect(shapeOf(mine, ['context', 'operationId'])).toEqual(shapeOf(theirs));
    expect(Object.keys(mine.properties ?? {}).filter((k) => !(k in (theirs.properties ?? {})))).toEqual(READ_ONLY.includes(name) ? ['context'] : ['context', 'operationId']);
  });

  it.each(OUR_TOOLS)('%s (ours) takes context unless it works on the whole data folder', (name) => {
    const mine = named(ours, name).inputSchema as Schema;
    if (ROOT_TOOLS.includes(name)) expect(mine.properties ?? {}).not.toHaveProperty('operationId');
    else expect(mine.properties).toHaveProperty('context');
  });

  it('every schema is strict, at every depth', () => {
    expect(ours.flatMap((t) => strictEverywhere(t.inputSchema as Schema, t.name))).toEqual([]);
  });

  it('every tool says in a short description what it does, and is marked read-only or not', () => {
    for (const tool of ours) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.description!.length, tool.name).toBeLessThanOrEqual(400);
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(READ_ONLY.includes(tool.name));
      for (const [key, property] of Object.entries((tool.inputSchema as Schema).properties ?? {})) {
        expect((property as { description?: string }).description, `${tool.name}.${key}`).toBeTruthy();
      }
    }
  });

  it.each([...GRAPH_TOOLS, ...CHART_TOOLS, ...OUR_TOOLS])('%s refuses an argument it does not know, naming it', async (name) => {
    const result = await server.callRaw(name, { initialActionStep: ['misspelt'] });
    expect(result.isError).toBe(true);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    expect(text).toContain('Unknown argument "initialActionStep"');
    expect(text).toContain('this tool takes');
  });
});
