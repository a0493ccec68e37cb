// Part 4: one MCP tool call, as an assistant makes it, on ours (`tension mcp`) and on the peers
// it replaces: the reference server (@modelcontextprotocol/server-memory: the knowledge-graph
// tools) and coaia-narrative (the chart tools too). Each server is a real process driven by the
// SDK's client over stdio, alone on its own copy of the same chart file, one server at a time;
// a call is timed from the request sent to the answer read.
//
// Ours is timed after one warm-up call: the first call on a file it has never seen adopts the
// file into its journal (shown apart). coaia-narrative's list_active_charts reads the whole file
// once per chart, so it is timed on small files only.
import fs from 'node:fs';
import path from 'node:path';
import { writeChartFile } from './chartGenerator.ts';
import { ms, now, percentile, ratio, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';
import { startCoaiaNarrativeMcp, startReferenceMcp, startTensionMcp, type McpConnection } from '../mcp/mcpClients.ts';

export interface McpBenchConfig {
  readonly workDir: string;
  readonly sizes: readonly number[];
  /** Calls per tool and server at a size. */
  readonly calls: (charts: number) => number;
}

type Server = 'ours' | 'reference' | 'coaia';

/** Arguments of the i-th call of a tool; `made` holds the charts this run created (chart tools build on them). */
type CallArgs = (i: number, sample: string, made: string[]) => Record<string, unknown>;

interface ToolPlan {
  readonly tool: string;
  readonly writes: boolean;
  readonly servers: readonly Server[];
  readonly args: CallArgs;
  /** Largest file (in charts) a server is timed on, when its cost grows past reason. */
  readonly upTo?: Partial<Record<Server, number>>;
}

const PLANS: readonly ToolPlan[] = [
  { tool: 'create_entities', writes: true, servers: ['ours', 'reference', 'coaia'], args: (i) => ({ entities: [{ name: `bench_mcp_${i}`, entityType: 'note', observations: ['Call the supplier about the late shipment'] }] }) },
  { tool: 'add_observations', writes: true, servers: ['ours', 'reference', 'coaia'], args: (i, sample) => ({ observations: [{ entityName: `${sample}_current_reality`, contents: [`Bench note ${i}`] }] }) },
  { tool: 'open_nodes', writes: false, servers: ['ours', 'reference', 'coaia'], args: (_i, sample) => ({ names: [`${sample}_chart`, `${sample}_desired_outcome`] }) },
  { tool: 'search_nodes', writes: false, servers: ['ours', 'reference', 'coaia'], args: (_i, sample) => ({ query: sample }) },
  { tool: 'create_structural_tension_chart', writes: true, servers: ['ours', 'coaia'], args: (i) => ({ desiredOutcome: `Bench outcome ${i}`, currentReality: 'Bench reality', dueDate: '2027-12-31', actionSteps: ['First step', 'Second step'] }) },
  { tool: 'add_action_step', writes: true, servers: ['ours', 'coaia'], args: (i, _s, made) => ({ parentChartId: made[i % made.length], actionStepTitle: `Added step ${i}`, currentReality: 'Not begun' }) },
  { tool: 'mark_action_complete', writes: true, servers: ['ours', 'coaia'], args: (i, _s, made) => ({ actionStepName: `${made[i % made.length]}_action_1` }) },
  { tool: 'update_current_reality', writes: true, servers: ['ours', 'coaia'], args: (i, _s, made) => ({ chartId: made[i % made.length], newObservations: [`Observed ${i}`] }) },
  { tool: 'get_chart', writes: false, servers: ['ours', 'coaia'], args: (_i, sample) => ({ chartId: sample }) },
  { tool: 'list_active_charts', writes: false, servers: ['ours', 'coaia'], args: () => ({}), upTo: { coaia: 100 } },
];

interface Timings {
  /** Per tool: call times in ms. */
  readonly tools: Map<string, number[]>;
  firstCall?: number;
}

async function timeServer(server: Server, connection: McpConnection, charts: number, sample: string, calls: number): Promise<Timings> {
  const timings: Timings = { tools: new Map() };
  const warm = now();
  await connection.call('open_nodes', { names: [`${sample}_chart`] });
  timings.firstCall = now() - warm;
  const made: string[] = [];
  for (const plan of PLANS) {
    if (!plan.servers.includes(server) || charts > (plan.upTo?.[server] ?? Number.POSITIVE_INFINITY)) continue;
    const times: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const args = plan.args(i, sample, made);
      const start = now();
      const result = await connection.call<{ chartId?: string }>(plan.tool, args);
      times.push(now() - start);
      if (plan.tool === 'create_structural_tension_chart' && typeof result.chartId === 'string') made.push(result.chartId);
    }
    timings.tools.set(plan.tool, times);
  }
  return timings;
}

async function measureSize(config: McpBenchConfig, charts: number): Promise<Record<Server, Timings>> {
  const dir = path.join(config.workDir, `mcp-${charts}`);
  const source = path.join(dir, 'source.jsonl');
  const generated = writeChartFile(source, charts);
  const sample = generated.sampleIds[Math.floor(generated.sampleIds.length / 2)] as string;
  const copy = (target: string) => {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
    return target;
  };
  const ourData = path.dirname(copy(path.join(dir, 'ours', '.coaia', 'charts.jsonl')));
  const referenceFile = copy(path.join(dir, 'reference', 'memory.jsonl'));
  const coaiaFile = copy(path.join(dir, 'coaia', 'memory.jsonl'));
  fs.rmSync(source);
  const calls = config.calls(charts);
  const run = async (server: Server, start: () => Promise<McpConnection>) => {
    const connection = await start();
    try {
      return await timeServer(server, connection, charts, sample, calls);
    } finally {
      await connection.close();
    }
  };
  // One server at a time: the machine is shared, and each gets it to itself.
  const ours = await run('ours', () => startTensionMcp(['--data', ourData], 'tension-desk-bench'));
  const reference = await run('reference', () => startReferenceMcp(referenceFile));
  const coaia = await run('coaia', () => startCoaiaNarrativeMcp(coaiaFile));
  fs.rmSync(dir, { recursive: true, force: true });
  return { ours, reference, coaia };
}

export async function mcpBench(config: McpBenchConfig): Promise<SectionResult> {
  const results = new Map<number, Record<Server, Timings>>();
  for (const charts of config.sizes) results.set(charts, await measureSize(config, charts));
  const p50 = (timings: Timings, tool: string) => {
    const times = timings.tools.get(tool);
    return times && times.length > 0 ? percentile(times, 50) : Number.NaN;
  };
  const rows: string[][] = [];
  const checks: Check[] = [];
  for (const [charts, byServer] of results) {
    const slower: string[] = [];
    for (const plan of PLANS) {
      const ours = p50(byServer.ours, plan.tool);
      const reference = p50(byServer.reference, plan.tool);
      const coaia = p50(byServer.coaia, plan.tool);
      const cell = (server: Server, value: number) => (plan.servers.includes(server) ? (Number.isFinite(value) ? ms(value) : 'not timed') : '—');
      rows.push([plan.tool, String(charts), ms(ours), cell('reference', reference), cell('coaia', coaia), Number.isFinite(reference) ? ratio(reference / ours) : '—', Number.isFinite(coaia) ? ratio(coaia / ours) : '—']);
      if (plan.writes && ((Number.isFinite(reference) && reference <= ours) || (Number.isFinite(coaia) && coaia <= ours))) slower.push(plan.tool);
    }
    checks.push({
      what: `MCP write call at ${charts} charts, ours vs reference server and coaia-narrative`,
      measured: `ours create_entities ${ms(p50(byServer.ours, 'create_entities'))}, create chart ${ms(p50(byServer.ours, 'create_structural_tension_chart'))}`,
      against: `reference ${ms(p50(byServer.reference, 'create_entities'))}; coaia ${ms(p50(byServer.coaia, 'create_entities'))}, ${ms(p50(byServer.coaia, 'create_structural_tension_chart'))}`,
      target: 'ours faster on every write tool they share',
      pass: slower.length === 0,
    });
  }
  const detail = table(['tool', 'charts', 'ours p50', 'reference p50', 'coaia-narrative p50', 'reference / ours', 'coaia / ours'], rows);
  const notes = [
    `each figure is the median of ${config.sizes.map((c) => `${config.calls(c)} calls at ${c} charts`).join(', ')}, from the request sent to the answer read, over stdio with the SDK's client; '—': the server has no such tool`,
    ...[...results].map(([charts, byServer]) => `${charts} charts: ours' first call (adopting the file into its journal) took ${ms(byServer.ours.firstCall ?? Number.NaN)}; the reference server's first ${ms(byServer.reference.firstCall ?? Number.NaN)}, coaia-narrative's ${ms(byServer.coaia.firstCall ?? Number.NaN)}`),
    'coaia-narrative\'s list_active_charts reads the whole file once per chart: timed at 100 charts only',
  ];
  return { title: '4. One MCP tool call: tension mcp vs the reference server and coaia-narrative', detail, notes, checks };
}
