// Renaming, merging and deleting contexts, moving several charts, export and import preview,
// on real files: what the person sees afterwards (charts where they belong, with their
// sub-charts and their history), what peers read (the files and their names), and every
// refusal (bad names, collisions left unresolved) changing nothing.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { tempLayout } from '../helpers/tempRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { renameContext, adoptLeftovers } from '../../electron/core/contexts/contextRename.ts';
import { mergeContext, previewMerge, undoMerge } from '../../electron/core/contexts/contextMerge.ts';
import { deleteContext, restoreDeletedContext } from '../../electron/core/contexts/contextDelete.ts';
import { moveCharts } from '../../electron/core/contexts/moveCharts.ts';
import { exportJsonl, exportMarkdown } from '../../electron/core/contexts/exportCharts.ts';
import { applyImport, previewImport, undoImport } from '../../electron/core/contexts/importPreview.ts';
import { listBackups } from '../../electron/core/backups.ts';
import type { Engine } from '../../electron/core/engine.ts';

closeAfterEachTest();

async function setUp() {
  const layout = tempLayout();
  const engine = await trackedEngine(layout);
  const charts = new ChartService(engine);
  const billing = await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers'], steps: ['Automate invoices', 'Migrate customers'] });
  const sub = await charts.telescope('work', `${billing.id}_action_1`, { reality: 'Invoices are typed by hand', steps: ['Pick a PDF library'] });
  await charts.completeStep('work', `${sub.id}_action_1`);
  const hire = await charts.create('work', { outcome: 'Hire an engineer', reality: ['One engineer'] });
  const run = await charts.create('personal', { outcome: 'Run a marathon', reality: ['5 km'] });
  await engine.flush();
  return { layout, engine, charts, billing: billing.id, sub: sub.id, hire: hire.id, run: run.id };
}

const recordsOf = (engine: Engine, context: string) => engine.read(context, (state) => [...state.values()].map((r) => r.raw));

describe('renaming a context', () => {
  it('moves every record to charts-<new>.jsonl, byte for byte but for metadata.context, hides the old name, and the history reaches back past the rename', async () => {
    const { layout, engine, charts, billing, sub } = await setUp();
    const before = await recordsOf(engine, 'work');
    const result = await renameContext(engine, 'work', 'job');
    expect(result.move.records).toBe(before.length);
    await engine.flush();
    expect(fs.existsSync(contextPaths(layout, 'work').file)).toBe(false);
    expect(fs.readFileSync(contextPaths(layout, 'job').file, 'utf8').trimEnd().split('\n')).toEqual(before.map((raw) => raw.replaceAll('"context":"work"', '"context":"job"')));
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['job', 'personal']);
    const tree = await charts.tree('job', billing);
    expect(tree.children.map((c) => c.chart.id)).toEqual([sub]);
    expect(tree.children[0]?.chart.currentReality).toEqual(['Invoices are typed by hand', 'Completed: Pick a PDF library']);

    const history = await charts.history('job', billing);
    const earlier = history.filter((e) => e.context === 'work');
    const here = history.filter((e) => e.context === undefined);
    expect(earlier.length).toBeGreaterThan(0);
    expect(earlier.every((e) => e.seq < 1)).toBe(true);
    expect(here.every((e) => e.seq >= 1)).toBe(true);
    // In order: the versions from before, then the move itself, named as one.
    const seqs = history.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(here[0]?.note).toMatch(/moved from context work to context job/);
    expect(Date.parse(earlier.at(-1)?.ts ?? '')).toBeLessThanOrEqual(Date.parse(here[0]?.ts ?? ''));
    // The sub-chart's completed step, made before the rename, is in its history.
    expect((await charts.history('job', sub)).some((e) => e.context === 'work' && e.part === `${sub}_action_1`)).toBe(true);
  });

  it('leaves no empty file under the old name, even when another process reads the old context afterwards', async () => {
    const { layout, engine } = await setUp();
    await renameContext(engine, 'work', 'job');
    const other = await trackedEngine(layout, { rewriteDelayMs: 0 });
    expect(await other.read('work', (state) => state.size)).toBe(0);
    await other.flush();
    await other.close();
    await engine.flush();
    expect(fs.existsSync(contextPaths(layout, 'work').file)).toBe(false);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['job', 'personal']);
  });

  it('refuses a name that exists, a reserved one, a bad one and a missing source, changing nothing', async () => {
    const { engine } = await setUp();
    const before = [await recordsOf(engine, 'work'), await recordsOf(engine, 'personal')];
    await expect(renameContext(engine, 'work', 'personal')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/already a context personal: merge/) });
    await expect(renameContext(engine, 'work', 'default')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(renameContext(engine, 'default', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(renameContext(engine, 'work', '../evil')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(renameContext(engine, 'work', 'WORK')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/upper and lower case/) });
    await expect(renameContext(engine, 'nosuch', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect([await recordsOf(engine, 'work'), await recordsOf(engine, 'personal')]).toEqual(before);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal', 'work']);
  });

  it('renamed back and forth, the chart keeps all its history', async () => {
    const { engine, charts, billing } = await setUp();
    const first = (await charts.history('work', billing)).length;
    await renameContext(engine, 'work', 'job');
    await renameContext(engine, 'job', 'work');
    const history = await charts.history('work', billing);
    expect(history.filter((e) => e.context === 'work').length).toBe(first);
    expect(history.filter((e) => e.context === 'job').length).toBeGreaterThan(0);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal', 'work']);
  });

  it('a peer writing the old file after the rename (its stale copy plus its own entity) loses nothing: its entity is adopted, nothing is doubled', async () => {
    const { layout, engine } = await setUp();
    const staleCopy = fs.readFileSync(contextPaths(layout, 'work').file, 'utf8');
    await renameContext(engine, 'work', 'job');
    const moved = (await recordsOf(engine, 'job')).length;
    // The reference server writes what it read plus its change, without metadata and without a final newline.
    const peer = `${staleCopy.trimEnd().split('\n').map((line) => { const v = JSON.parse(line) as Record<string, unknown>; delete v.metadata; return JSON.stringify(v); }).join('\n')}\n{"type":"entity","name":"peer_note","entityType":"note","observations":["written by the peer"]}`;
    await new Promise((resolve) => setTimeout(resolve, 20));
    fs.writeFileSync(contextPaths(layout, 'work').file, peer);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['job', 'personal', 'work']);
    const adopted = await adoptLeftovers(engine);
    expect(adopted).toEqual([{ context: 'work', into: 'job', records: 1 }]);
    const job = await recordsOf(engine, 'job');
    expect(job.length).toBe(moved + 1);
    expect(job.some((raw) => raw.includes('peer_note'))).toBe(true);
    expect(await recordsOf(engine, 'work')).toEqual([]);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['job', 'personal']);
  });
});

describe('merging a context into another', () => {
  it('previews, refuses an unresolved collision changing nothing, then moves under a new id or skips as chosen, and undoes', async () => {
    const { engine, charts, billing, hire } = await setUp();
    // The same chart id in both contexts, with different content: a collision.
    const clash = (await recordsOf(engine, 'work')).filter((raw) => raw.includes(hire));
    await engine.transact('personal', () => ({ puts: [], deletes: [] }));
    const { parseImport } = await import('../../electron/core/knowledgeGraph.ts');
    const different = parseImport(clash.map((raw) => raw.replace('Hire an engineer', 'Hire a designer')).join('\n'), 'test');
    await engine.transact('personal', () => ({ puts: different, deletes: [] }));
    const preview = await previewMerge(engine, 'work', 'personal');
    expect(preview.charts.find((c) => c.id === hire)?.status).toBe('collision');
    expect(preview.charts.find((c) => c.id === billing)).toMatchObject({ status: 'new', subCharts: 1 });
    expect(preview.unresolved).toEqual([hire]);

    const before = [await recordsOf(engine, 'work'), await recordsOf(engine, 'personal')];
    await expect(mergeContext(engine, 'work', 'personal')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(hire) });
    expect([await recordsOf(engine, 'work'), await recordsOf(engine, 'personal')]).toEqual(before);

    const merged = await mergeContext(engine, 'work', 'personal', { resolutions: { [hire]: 'new-id' } });
    const hire2 = merged.move.renamed[hire] as string;
    expect(Object.keys(merged.move.renamed)).toEqual([hire]);
    expect(hire2).toMatch(/^chart_\d+$/); // a shape the COAIA servers' tools take
    expect(merged.leftBehind).toBe(0);
    const list = (await charts.list('personal')).map((c) => c.id);
    expect(list).toEqual(expect.arrayContaining([billing, hire, hire2]));
    expect((await charts.show('personal', hire2)).desiredOutcome).toBe('Hire an engineer');
    expect((await charts.show('personal', hire)).desiredOutcome).toBe('Hire a designer');
    // The renamed chart's history reaches back to its versions under its old id.
    expect((await charts.history('personal', hire2)).some((e) => e.context === 'work')).toBe(true);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal']);

    const undone = await undoMerge(engine, { from: 'work', into: 'personal', charts: merged.move.moved });
    expect(undone.moved.sort()).toEqual([billing, hire].sort()); // back under its own id
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal', 'work']);
    expect((await charts.tree('work', billing)).children).toHaveLength(1);
  });

  it('with skip, the colliding chart stays in the source, which stays listed', async () => {
    const { engine, hire } = await setUp();
    const clash = (await recordsOf(engine, 'work')).filter((raw) => raw.includes(`${hire}_desired_outcome"`) && raw.includes('"entity"'));
    const { parseImport } = await import('../../electron/core/knowledgeGraph.ts');
    await engine.transact('personal', () => ({ puts: parseImport(clash.map((raw) => raw.replace('Hire an engineer', 'Other')).join('\n'), 't'), deletes: [] }));
    const merged = await mergeContext(engine, 'work', 'personal', { onCollision: 'skip' });
    expect(merged.move.skipped).toEqual([hire]);
    expect(merged.leftBehind).toBeGreaterThan(0);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal', 'work']);
  });
});

describe('moving several charts at once', () => {
  it('moves each with its sub-charts in one change; a chart inside another chosen one goes once', async () => {
    const { engine, charts, billing, sub, hire } = await setUp();
    const result = await moveCharts(engine, 'work', 'personal', { charts: [billing, sub, hire] });
    expect(result.moved.sort()).toEqual([billing, hire].sort());
    expect((await charts.list('work')).map((c) => c.id)).toEqual([]);
    expect((await charts.tree('personal', billing)).children.map((c) => c.chart.id)).toEqual([sub]);
    await expect(moveCharts(engine, 'work', 'personal', { charts: ['chart_missing'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(moveCharts(engine, 'personal', 'personal', { charts: [billing] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('deleting a context', () => {
  it('takes a backup first, hides the context, and restores every record exactly', async () => {
    const { layout, engine } = await setUp();
    const before = await recordsOf(engine, 'work');
    const result = await deleteContext(engine, 'work');
    expect(result.records).toBe(before.length);
    expect((await listBackups(engine)).map((b) => b.id)).toContain(result.backup);
    expect(fs.existsSync(contextPaths(layout, 'work').file)).toBe(false);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal']);
    const restored = await restoreDeletedContext(engine, 'work');
    expect(restored.records).toBe(before.length);
    expect(await recordsOf(engine, 'work')).toEqual(before);
    expect(fs.readFileSync(contextPaths(layout, 'work').file, 'utf8')).toBe(`${before.join('\n')}\n`);
    await expect(restoreDeletedContext(engine, 'work')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(deleteContext(engine, 'default')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(deleteContext(engine, 'nosuch')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('export and import', () => {
  it('Markdown puts the desired outcome first, the steps, current reality last, the sub-chart nested under its step', async () => {
    const { engine, billing } = await setUp();
    const md = await engine.read('work', (state) => exportMarkdown(state, 'work', [billing]));
    const at = (text: string) => md.indexOf(text);
    expect(at('## Ship billing')).toBeGreaterThanOrEqual(0);
    expect(at('**Desired outcome:** Ship billing')).toBeLessThan(at('- [ ] Migrate customers'));
    expect(at('- [ ] Migrate customers')).toBeLessThan(at('- [ ] Automate invoices'));
    expect(at('  ### Automate invoices')).toBeGreaterThan(at('- [ ] Automate invoices'));
    expect(at('  - [x] Pick a PDF library')).toBeGreaterThan(at('  ### Automate invoices'));
    expect(md.lastIndexOf('- 3 pilot customers')).toBeGreaterThan(at('  - Completed: Pick a PDF library'));
    expect(md).not.toContain('Hire an engineer');
  });

  it('JSONL of a chart is its subtree exactly; imported elsewhere it previews as new, then as unchanged, and an import undone leaves the context as it was', async () => {
    const { engine, charts, billing, sub } = await setUp();
    const jsonl = await engine.read('work', (state) => exportJsonl(state, 'work', [billing]));
    const lines = jsonl.trimEnd().split('\n');
    expect(lines.every((line) => line.includes(billing) || line.includes(sub))).toBe(true);
    const personalBefore = await recordsOf(engine, 'personal');
    const preview = await engine.read('personal', (state) => previewImport(state, 'personal', `${jsonl}not json\n`, 'chart.jsonl'));
    expect(preview).toMatchObject({ newRecords: lines.length, unchanged: 0, changed: [], collisions: [] });
    expect(preview.unreadable).toEqual([{ where: `line ${lines.length + 1}`, reason: expect.stringMatching(/not valid JSON/) }]);
    const applied = await applyImport(engine, 'personal', jsonl, 'chart.jsonl');
    expect(applied.records).toBe(lines.length);
    expect((await charts.tree('personal', billing)).children.map((c) => c.chart.id)).toEqual([sub]);
    expect(await engine.read('personal', (state) => previewImport(state, 'personal', jsonl, 'chart.jsonl'))).toMatchObject({ newRecords: 0, unchanged: lines.length });
    // A different chart under the same id collides: refused unless resolved.
    const changed = jsonl.replace('Ship billing', 'Ship invoicing');
    expect((await engine.read('personal', (state) => previewImport(state, 'personal', changed, 'x'))).collisions).toEqual([{ id: billing, records: 1 }]);
    await expect(applyImport(engine, 'personal', changed, 'x')).rejects.toMatchObject({ code: 'CONFLICT' });
    await undoImport(engine, applied.undo);
    expect(await recordsOf(engine, 'personal')).toEqual(personalBefore);
  });

  it('a second line for a record in the file goes in only after its record: not with the chart skipped or given a new id; and such an import undoes', async () => {
    const { layout, engine, billing } = await setUp();
    const jsonl = await engine.read('work', (state) => exportJsonl(state, 'work', [billing]));
    await applyImport(engine, 'personal', jsonl, 'chart.jsonl');
    const stepLine = jsonl.split('\n').find((line) => line.includes(`"name":"${billing}_action_2"`)) as string;
    const stale = stepLine.replace('Migrate customers', 'STALE REPEAT');
    const colliding = `${jsonl.replace('Ship billing', 'Ship invoicing').trimEnd()}\n${stale}\n`;
    for (const onCollision of ['skip', 'new-id'] as const) {
      await applyImport(engine, 'personal', colliding, 'x', { onCollision });
      await engine.flush();
      // What a fresh process reads (the file): the repeat was not written on its own.
      expect(fs.readFileSync(contextPaths(layout, 'personal').file, 'utf8'), onCollision).not.toContain('STALE REPEAT');
    }
    const loose = '{"type":"entity","name":"loose","entityType":"note","observations":["first"]}';
    const twice = `${loose}\n${loose.replace('first', 'second')}\n`;
    const before = await recordsOf(engine, 'scratch');
    const applied = await applyImport(engine, 'scratch', twice, 'twice.jsonl');
    expect(applied.records).toBe(2);
    await undoImport(engine, applied.undo);
    expect(await recordsOf(engine, 'scratch')).toEqual(before);
  });
});

