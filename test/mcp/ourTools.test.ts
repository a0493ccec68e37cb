// The tools of ours that no peer has, through the real `tension mcp` process: a chart's history
// (who changed what: the assistant named by its client), a chart as of a past time, verify,
// the contexts, and backups.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, removeTempDirs } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import type { Chart, ChartHistoryEntry } from '../../shared/domain.ts';
import { startTensionMcp, ToolFailure, type McpConnection } from './mcpClients.ts';

let server: McpConnection;
let data: string;

beforeAll(async () => {
  data = path.join(tempDir(), '.coaia');
  server = await startTensionMcp(['--data', data, '--context', 'work'], 'history-test-assistant');
}, 60_000);

afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

describe('the tools of ours', () => {
  it('a chart\'s history says when, by whom (the MCP client by name) and what; as-of shows the chart as it was', async () => {
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { desiredOutcome: 'A finished thesis', currentReality: 'Two chapters drafted', dueDate: '2027-10-01', actionSteps: ['Draft chapter three'] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.call('mark_action_complete', { actionStepName: `${chartId}_action_1` });
    expect(runCli(['reality', 'add', chartId, '--data', data, '--context', 'work', '--text', 'Advisor read chapter three']).status).toBe(0);

    const { entries } = await server.call<{ entries: ChartHistoryEntry[] }>('get_chart_history', { chartId });
    const byTransaction = [...new Map(entries.map((e) => [e.tx, [e.origin, e.note ?? '']])).values()];
    expect(byTransaction).toEqual([
      ['mcp', 'MCP client history-test-assistant 1.2.3'],
      ['mcp', 'MCP client history-test-assistant 1.2.3'],
      ['cli', ''],
    ]);
    expect(entries.filter((e) => e.part === `${chartId}_action_1`).map((e) => e.value?.metadata)).toEqual([expect.objectContaining({ completionStatus: false }), expect.objectContaining({ completionStatus: true })]);

    const then = await server.call<Chart>('get_chart_as_of', { chartId, time: between });
    expect(then).toMatchObject({ id: chartId, currentReality: ['Two chapters drafted'], steps: [{ title: 'Draft chapter three', completed: false }] });
    const now = await server.call<{ chart: Chart }>('get_chart', { chartId });
    expect(now.chart.currentReality).toEqual(['Two chapters drafted', 'Completed: Draft chapter three', 'Advisor read chapter three']);
    const before = await server.callRaw('get_chart_as_of', { chartId, time: '2000-01-01T00:00:00Z' });
    expect(before.isError).toBe(true);
  });

  it('lists the contexts, verifies the data folder, and makes and lists backups', async () => {
    await server.call('create_entities', { context: 'notes', entities: [{ name: 'Idea', entityType: 'note', observations: ['Write less, ship more'] }] });
    const contexts = await server.call<{ defaultContext: string; contexts: { context: string; health: string }[] }>('list_contexts', {});
    expect(contexts.defaultContext).toBe('work');
    expect(contexts.contexts.map((c) => [c.context, c.health])).toEqual(expect.arrayContaining([['work', 'ok'], ['notes', 'ok']]));

    const verified = await server.call<{ ok: boolean; contexts: { context: string }[] }>('verify_data', {});
    expect(verified.ok).toBe(true);
    expect((await server.call<{ contexts: { context: string }[] }>('verify_data', { context: 'notes' })).contexts.map((c) => c.context)).toEqual(['notes']);
    const missing = await server.call('verify_data', { context: 'nowhere' }).catch((e: unknown) => e);
    expect((missing as ToolFailure).text).toMatch(/NOT_FOUND: No context nowhere/);

    const backup = await server.call<{ id: string; files: { path: string }[] }>('create_backup', { reason: 'before the big edit' });
    expect(backup.files.map((f) => f.path)).toEqual(expect.arrayContaining(['charts-work.jsonl', 'charts-notes.jsonl']));
    expect(fs.existsSync(path.join(data, '.backup', backup.id, 'manifest.json'))).toBe(true);
    const listed = await server.call<{ backups: { id: string; reason: string }[] }>('list_backups', {});
    expect(listed.backups[0]).toMatchObject({ id: backup.id, reason: 'before the big edit' });
  });
});
