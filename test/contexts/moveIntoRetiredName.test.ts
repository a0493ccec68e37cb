// Charts moved into a name renamed or merged away (its retired note points on). They landed
// there, the old name showed again, and the next context command (adopt, run before each)
// moved them on to the new name, silently, after the person had seen them arrive. The window's
// move of charts (charts.moveMany, on the real handler table and files) is now refused there,
// nothing moved, naming the context they belong in; a fresh CLI adopt then finds nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { startTensionMcp, ToolFailure } from '../mcp/mcpClients.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';
import { smallChartRecords, writeContextFile } from '../helpers/contextFiles.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { renameContext } from '../../electron/core/contexts/contextRename.ts';
import { mergeContext } from '../../electron/core/contexts/contextMerge.ts';

afterEach(removeTempDirs);

it('into a renamed name: refused naming the new name, nothing moved; into the new name: moved', async () => {
  const { layout, engine, value } = await ownWindowTable();
  writeContextFile(layout, 'a', smallChartRecords('chart_a', 'a', 'A outcome'));
  writeContextFile(layout, 'c', smallChartRecords('chart_c', 'c', 'C outcome'));
  await renameContext(engine, 'a', 'b');
  const before = await recordsOf(engine, 'c');
  await expect(value('charts.moveMany', { from: 'c', to: 'a', ids: ['chart_c'] })).rejects.toThrow(/CONFLICT Context a was renamed to b: charts moved into a would be moved on to b .*Move them into b instead. Nothing was moved/);
  expect(await recordsOf(engine, 'c')).toEqual(before);
  expect(engine.listContextNames()).toEqual(['b', 'c']);
  await value('charts.moveMany', { from: 'c', to: 'b', ids: ['chart_c'] });
  expect(await recordsOf(engine, 'c')).toEqual([]);
  await engine.close();
  expect(cliOk(['context', 'adopt'], layout.root)).toBe('nothing to adopt');
});

it('into a name merged away, and that one renamed on: refused naming where the records are now', async () => {
  const { layout, engine, value } = await ownWindowTable();
  writeContextFile(layout, 'a', smallChartRecords('chart_a', 'a', 'A outcome'));
  writeContextFile(layout, 'b', smallChartRecords('chart_b', 'b', 'B outcome'));
  writeContextFile(layout, 'c', smallChartRecords('chart_c', 'c', 'C outcome'));
  await mergeContext(engine, 'a', 'b');
  await renameContext(engine, 'b', 'd');
  await expect(value('charts.moveMany', { from: 'c', to: 'a', ids: ['chart_c'] })).rejects.toThrow(/CONFLICT Context a was merged into b \(and that to d\): .*Move them into d instead/);
  expect(engine.listContextNames()).toEqual(['c', 'd']);
  await engine.close();
  expect(cliOk(['context', 'adopt'], layout.root)).toBe('nothing to adopt');
});

it('the CLI\'s move of one chart into a renamed name: refused (exit 10) naming the new name, nothing moved; into the new name: moved', async () => {
  const { layout, engine } = await ownWindowTable();
  writeContextFile(layout, 'a', smallChartRecords('chart_a', 'a', 'A outcome'));
  writeContextFile(layout, 'c', smallChartRecords('chart_c', 'c', 'C outcome'));
  await renameContext(engine, 'a', 'b');
  await engine.close();
  const refused = runCli(['chart', 'move', 'chart_c', '--to', 'a', '--context', 'c', '--data', layout.root]);
  expect(refused.status, refused.stderr).toBe(10);
  expect(refused.stderr).toMatch(/Context a was renamed to b: .*Move them into b instead. Nothing was moved/);
  expect(cliOk(['chart', 'list', '--context', 'c'], layout.root)).toContain('chart_c');
  expect(cliOk(['contexts'], layout.root)).not.toMatch(/^a\b/m);
  cliOk(['chart', 'move', 'chart_c', '--to', 'b', '--context', 'c'], layout.root);
  expect(cliOk(['chart', 'list', '--context', 'b'], layout.root)).toContain('chart_c');
  expect(cliOk(['context', 'adopt'], layout.root)).toBe('nothing to adopt');
});

it('a chart created under a renamed name is refused (exit 10), nothing changed; unarchived without --to, a chart goes where its context was renamed to, and the answer says so', async () => {
  const { layout, engine } = await ownWindowTable();
  await engine.close();
  const made = runCli(['chart', 'create', '--context', 'work', '--outcome', 'Done thing', '--reality', 'r', '--json', '--data', layout.root]);
  expect(made.status, made.stderr).toBe(0);
  const id = /chart_[0-9a-z_]+/.exec(made.stdout)?.[0] as string;
  cliOk(['outcome', 'complete', id, '--context', 'work'], layout.root);
  cliOk(['chart', 'archive', id, '--context', 'work'], layout.root);
  cliOk(['context', 'rename', 'work', 'job'], layout.root);
  const created = runCli(['chart', 'create', '--context', 'work', '--outcome', 'Into the old name', '--reality', 'r', '--data', layout.root]);
  expect(created.status, created.stderr).toBe(10);
  expect(created.stderr).toMatch(/Context work was renamed to job: a chart created in work would be moved on to job .*Create it in job instead. Nothing was changed/);
  expect(cliOk(['chart', 'list', '--all'], layout.root)).not.toContain('Into the old name');
  // The name it was archived from went to job: it is restored there, and told so.
  expect(cliOk(['chart', 'unarchive', id], layout.root)).toMatch(/restored to context job \(\d+ records\)/);
  expect(cliOk(['chart', 'list', '--context', 'job'], layout.root)).toContain(id);
  // A name the person gives is held to: into the retired name, refused.
  cliOk(['chart', 'archive', id, '--context', 'job'], layout.root);
  const named = runCli(['chart', 'unarchive', id, '--to', 'work', '--data', layout.root]);
  expect(named.status, named.stderr).toBe(10);
  expect(cliOk(['context', 'adopt'], layout.root)).toBe('nothing to adopt');
  expect(cliOk(['contexts'], layout.root)).not.toMatch(/^work\b/m);
});

it('writes into a renamed name are refused (exit 10, naming the new name), nothing changed: the CLI\'s import, entity set and relation add, and an assistant\'s create_entities through a real tension mcp process', async () => {
  const { layout, engine } = await ownWindowTable();
  writeContextFile(layout, 'work', smallChartRecords('chart_w', 'work', 'W outcome'));
  await renameContext(engine, 'work', 'job');
  await engine.close();
  const file = path.join(tempDir(), 'one.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ type: 'entity', name: 'imported', entityType: 'note', observations: [] })}\n`);
  for (const args of [
    ['import', file, '--context', 'work'],
    ['entity', 'set', '--name', 'n1', '--type', 'note', '--context', 'work'],
    ['relation', 'add', '--from', 'a', '--to', 'b', '--type', 'r', '--context', 'work'],
  ]) {
    const refused = runCli([...args, '--data', layout.root]);
    expect(refused.status, `${args.join(' ')}: ${refused.stderr}`).toBe(10);
    expect(refused.stderr).toMatch(/Context work was renamed to job: what is written into work would be moved on to job .*Write into job instead. Nothing was changed/);
  }
  const server = await startTensionMcp(['--data', layout.root]);
  try {
    const failure = await server.call('create_entities', { context: 'work', entities: [{ name: 'from-assistant', entityType: 'note', observations: [] }] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ToolFailure);
    expect((failure as ToolFailure).text).toMatch(/Write into job instead/);
    // Into the new name it is written.
    await server.call('create_entities', { context: 'job', entities: [{ name: 'from-assistant', entityType: 'note', observations: [] }] });
  } finally {
    await server.close();
  }
  expect(cliOk(['contexts'], layout.root)).not.toMatch(/^work\b/m);
  expect(cliOk(['context', 'adopt'], layout.root)).toBe('nothing to adopt');
  expect(cliOk(['graph', '--context', 'job'], layout.root)).toContain('from-assistant');
});
