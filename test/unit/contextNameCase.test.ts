// Context names are unique regardless of case: "WORK" beside "work" would be two files on
// Linux and one on macOS and Windows. A new context that differs from an existing one only in
// case is refused with a clear message and nothing written, through the engine (so the app,
// the CLI and the MCP server alike); the case typed is kept for display; a pair already on disk
// (made on Linux, or by another tool) still opens and is reported, never merged.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contextsDifferingInCase, sameContextName } from '../../electron/core/dataRoot.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

const own = { id: 1, url: 'app://tension/index.html' };

describe('context names that differ only in case', () => {
  it('are found by name alone', () => {
    expect(sameContextName('WORK', 'work')).toBe(true);
    expect(sameContextName('work-2', 'work')).toBe(false);
    expect(contextsDifferingInCase(['Work', 'personal', 'WORK', 'work'])).toEqual(
      new Map([
        ['Work', ['WORK', 'work']],
        ['WORK', ['Work', 'work']],
        ['work', ['Work', 'WORK']],
      ]),
    );
  });

  it('a new one is refused, with nothing written, in the app, the engine and the CLI; the case typed is kept', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    try {
      expect(await table.handle('contexts.create', { context: 'Work' }, own)).toMatchObject({ ok: true });
      const before = fs.readdirSync(layout.root).sort();
      const app = await table.handle('contexts.create', { context: 'WORK' }, own);
      expect(app).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', kept: 'Nothing was changed.' } });
      if (!app.ok) expect(app.error.message).toMatch(/already a context "Work".*"WORK" differs from it only in upper and lower case.*macOS and Windows/);
      expect(await table.handle('charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot'] }, own)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      const refused = await new ChartService(engine).create('wORK', { outcome: 'Ship', reality: ['Pilot'] }).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(EngineError);
      const cli = runCli(['chart', 'create', '--data', layout.root, '--context', 'work', '--outcome', 'Ship', '--reality', 'Pilot']);
      expect(cli.status).toBe(2);
      expect(cli.stderr).toMatch(/already a context "Work"/);
      expect(fs.readdirSync(layout.root).sort()).toEqual(before);
      expect(fs.readdirSync(path.join(layout.root, '.history')).filter((f) => /work/i.test(f))).toEqual(['charts-Work.journal.jsonl']);
      // The case typed is the name shown, and writing to it works.
      expect(await table.handle('charts.create', { context: 'Work', outcome: 'Ship', reality: ['Pilot'] }, own)).toMatchObject({ ok: true });
      const list = await table.handle('contexts.list', {}, own);
      expect(list.ok && (list.value as { context: string }[]).map((c) => c.context)).toEqual(['Work']);
    } finally {
      await engine.close();
    }
  });

  it('a pair already on disk opens as it is, and each reports the other', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const line = (id: string) => `${JSON.stringify({ type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [], metadata: { chartId: id } })}\n`;
    fs.writeFileSync(path.join(layout.root, 'charts-work.jsonl'), line('chart_a'));
    fs.writeFileSync(path.join(layout.root, 'charts-WORK.jsonl'), line('chart_b'));
    const engine = await openEngine(layout);
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    try {
      const list = await table.handle('contexts.list', {}, own);
      expect(list.ok).toBe(true);
      if (!list.ok) return;
      expect((list.value as { context: string; charts: number; sameNameAs?: string[] }[]).map((c) => [c.context, c.charts, c.sameNameAs])).toEqual([
        ['WORK', 1, ['work']],
        ['work', 1, ['WORK']],
      ]);
      // Both stay readable and writable: nothing is merged behind the person's back.
      expect(await table.handle('steps.add', { context: 'WORK', chartId: 'chart_b', title: 'Merge by hand' }, own)).toMatchObject({ ok: true });
      expect(fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8')).toBe(line('chart_a'));
    } finally {
      await engine.close();
    }
  });
});
