// @vitest-environment happy-dom
// The backups panel, Recently deleted and the recovery wizard on the real handlers (in-memory
// transport, a real data folder): the stores' stories (a backup made and listed; a deleted chart
// restored from it after a preview, the restore undone; Recently deleted putting it back once and
// refusing twice; a damaged context walked through the wizard to a verified repair with its
// bytes set aside), and the components reached and left with the keyboard.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { memoryTransport } from '../../renderer/transport/memoryTransport.ts';
import { createAppStores, type AppStores } from '../../renderer/stores/appStores.ts';
import { StoresProvider } from '../../renderer/components/StoresProvider.tsx';
import { App } from '../../renderer/components/App.tsx';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { damageFile, recordsOf } from '../helpers/damage.ts';

const OWN: SenderInfo = { id: 1, url: 'app://tension/index.html' };
let engine: Engine | undefined;

afterEach(async () => {
  cleanup();
  await engine?.close();
  engine = undefined;
  removeTempDirs();
});

/** Charts in 'work' written first; `damage` is done to the file before the app's engine opens it. */
async function harness(damage?: 'garbage'): Promise<{ stores: AppStores; billing: string; file: string; charts: () => ChartService }> {
  const layout = tempLayout();
  const first = await openEngine(layout);
  const billing = (await new ChartService(first).create('work', { outcome: 'Ship billing', reality: ['3 pilots'], steps: ['Automate invoices'] })).id;
  await new ChartService(first).create('work', { outcome: 'A tidy garden', reality: ['Weeds'] });
  await first.close();
  const file = path.join(layout.root, 'charts-work.jsonl');
  if (damage) damageFile(file, damage);
  engine = await openEngine(layout, { origin: 'app' });
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id });
  const stores = createAppStores(memoryTransport((channel, input) => table.handle(channel, input, OWN)));
  const opened = engine;
  return { stores, billing, file, charts: () => new ChartService(opened) };
}

const outcomes = async (charts: ChartService) => (await charts.list('work')).map((c) => c.desiredOutcome).sort();

describe('the backup stores', () => {
  it('a backup made now is listed verified; a deleted chart is previewed, restored from it, and the restore undone', async () => {
    const { stores, billing, charts } = await harness();
    const backups = stores.backups.getState();
    expect((await backups.backUpNow()).ok).toBe(true);
    const [made] = stores.backups.getState().overview?.backups ?? [];
    expect(made).toMatchObject({ kind: 'manual', verified: true, contexts: ['work'] });
    expect(stores.backups.getState().overview?.lastBackup?.id).toBe(made?.id);

    await charts().removeChart('work', billing);
    await backups.previewRestore({ id: made!.id, context: 'work', chartId: billing });
    const preview = stores.backups.getState().restore?.preview;
    expect(preview?.inBackup?.chart.desiredOutcome).toBe('Ship billing');
    expect(preview?.today).toBeUndefined();
    expect(await outcomes(charts()), 'a preview changes nothing').toEqual(['A tidy garden']);

    expect((await stores.backups.getState().confirmRestore())?.ok).toBe(true);
    expect(await outcomes(charts())).toEqual(['A tidy garden', 'Ship billing']);
    expect(stores.backups.getState().lastRestore?.chartId).toBe(billing);
    expect((await stores.backups.getState().undoRestore())?.ok).toBe(true);
    expect(await outcomes(charts())).toEqual(['A tidy garden']);
    expect(stores.backups.getState().lastRestore).toBeNull();
  });

  it('a policy out of range is refused in words and not saved; a restore from a backup lacking the context says so and offers nothing to confirm', async () => {
    const { stores } = await harness();
    const refused = await stores.backups.getState().savePolicy({ keepDaily: -1, keepWeekly: 5, keepMonthly: 12 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('BAD_INPUT');
    expect(fs.existsSync(path.join(engine!.layout.root, '.backup', 'policy.json'))).toBe(false);
    await stores.backups.getState().backUpNow();
    const [made] = stores.backups.getState().overview?.backups ?? [];
    await stores.contexts.getState().create('later');
    await stores.backups.getState().previewRestore({ id: made!.id, context: 'later' });
    expect(stores.backups.getState().restore?.error?.message).toMatch(/holds no context later/);
    expect(await stores.backups.getState().confirmRestore()).toBeNull();
  });

  it('Recently deleted puts a chart back once; asking again is refused in words and changes nothing', async () => {
    const { stores, billing, charts } = await harness();
    await charts().removeChart('work', billing);
    await stores.deleted.getState().load();
    const item = stores.deleted.getState().items.find((i) => i.kind === 'chart');
    expect(item).toMatchObject({ title: 'Ship billing', by: 'this app' });
    expect((await stores.deleted.getState().restore(item!.id)).ok).toBe(true);
    expect(await outcomes(charts())).toEqual(['A tidy garden', 'Ship billing']);
    const again = await stores.deleted.getState().restore(item!.id);
    expect(again.ok).toBe(false);
    expect(stores.deleted.getState().error?.message).toMatch(/Nothing deleted has the id|exists again/);
    expect(await outcomes(charts())).toEqual(['A tidy garden', 'Ship billing']);
  });

  it('the wizard walks a damaged context to a verified repair, backs up the damaged state first, and opens the bytes set aside', async () => {
    const { stores, file } = await harness('garbage');
    const recovery = stores.recovery.getState();
    await recovery.open('work');
    const analysis = stores.recovery.getState().analysis;
    expect(analysis?.needsChoice).toBe(true);
    expect(analysis?.damagedLines.length).toBe(2);
    expect(stores.recovery.getState().choice).toEqual({ action: 'repair' });
    expect(stores.recovery.getState().backupFirst).toBe(true);
    await stores.recovery.getState().apply();
    const state = stores.recovery.getState();
    expect(state.step).toBe(5);
    expect(state.outcome?.verified.ok).toBe(true);
    expect(state.outcome?.safetyBackup).toBeDefined();
    const bad = state.files.find((f) => f.kind === 'damaged-bytes');
    expect(bad).toBeDefined();
    await stores.recovery.getState().openFile(bad!.name);
    expect(stores.recovery.getState().opened?.text.length).toBeGreaterThan(0);
    await engine!.flush();
    expect(fs.readFileSync(file).includes(Buffer.from([0xfe, 0xff]))).toBe(false);
    expect(recordsOf(file).length).toBeGreaterThan(5);
  });
});

describe('the backup views', () => {
  async function renderApp(stores: AppStores) {
    render(
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>,
    );
    await waitFor(() => expect(stores.charts.getState().loaded).toBe(true));
  }

  it('the status line opens the panel; a backup made there is listed; Escape closes it and gives the focus back', async () => {
    const { stores } = await harness();
    await renderApp(stores);
    const status = await screen.findByRole('button', { name: /^Backups: No backup yet · never verified/ });
    status.focus();
    fireEvent.click(status);
    const panel = await screen.findByRole('dialog', { name: 'Backups' });
    await within(panel).findByText(/No backups yet/);
    fireEvent.click(within(panel).getByRole('button', { name: 'Back up now' }));
    await waitFor(() => expect(panel.querySelectorAll('tr[data-backup]').length).toBe(1));
    expect(panel.querySelector('tr[data-backup]')?.textContent).toMatch(/made by hand.*work.*✓/s);
    await waitFor(() => expect(screen.getByRole('button', { name: /^Backups: Backed up just now · verified just now/ })).toBeTruthy());
    await act(async () => {
      fireEvent.keyDown(panel, { key: 'Escape' });
    });
    expect(screen.queryByRole('dialog', { name: 'Backups' })).toBeNull();
    expect(document.activeElement?.textContent).toMatch(/Backed up just now/);
  });

  it('damage found when the app opens is said at once; the wizard goes step by step to the result', async () => {
    const { stores } = await harness('garbage');
    await renderApp(stores);
    const open = await screen.findByRole('button', { name: 'Open the recovery wizard for work' });
    fireEvent.click(open);
    const wizard = await screen.findByRole('dialog', { name: 'Recovery wizard' });
    await within(wizard).findByRole('region', { name: 'What was found' });
    expect(wizard.querySelectorAll('pre.damaged-bytes').length).toBe(2);
    fireEvent.click(within(wizard).getByRole('button', { name: 'Next' }));
    expect(within(wizard).getByRole('region', { name: 'Where each record can come from' }).textContent).toMatch(/nowhere/);
    fireEvent.click(within(wizard).getByRole('button', { name: 'Next' }));
    expect(within(wizard).getByRole('list', { name: 'Charts after the repair' }).textContent).toMatch(/Ship billing.*A tidy garden|A tidy garden.*Ship billing/s);
    fireEvent.click(within(wizard).getByRole('button', { name: 'Next' }));
    expect((within(wizard).getByRole('radio', { name: /Repair it/ }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(wizard).getByRole('button', { name: 'Repair now' }));
    const result = await within(wizard).findByRole('region', { name: 'The result' });
    await waitFor(() => expect(within(result).getByRole('status').textContent).toMatch(/Repaired\. Checked afterwards: work is sound/));
    fireEvent.click(within(wizard).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog', { name: 'Recovery wizard' })).toBeNull();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Open the recovery wizard for work' })).toBeNull());
  });
});
