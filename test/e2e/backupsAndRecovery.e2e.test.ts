// Backups and recovery (issue 11), in a real Chromium on the real handlers over the HTTP bridge,
// with the app's backup timer and scheduled check running as in the Electron shell: bytes
// flipped, a line cut, garbage appended and the file deleted, each while the app is open and
// once before it starts, each taken through the recovery wizard (or repaired on its own and
// then shown in it) with no record lost against the file before the damage; a backup made from
// the panel, a chart deleted and restored from the panel (previewed beside today's, undone,
// restored again from Recently deleted); the policy previewed. Screenshots of every wizard step
// and of the panels go to test-output/screenshots/ (backups-*.png).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { DAMAGE_KINDS, damageFile, recordsOf, type DamageKind } from '../helpers/damage.ts';
import { startBridgeServer, type BridgeServer } from './bridgeServer.ts';
import { chromiumMissing, chromiumRequired, distDir, ensureRendererBuilt, launchChromium, screenshotPath } from './browser.ts';

if (chromiumMissing && chromiumRequired) {
  describe('backups and recovery, in Chromium', () => {
    it('runs (TENSION_REQUIRE_E2E=1: a missing Chromium fails the run instead of skipping these tests)', () => {
      expect.fail(`${chromiumMissing}; TENSION_REQUIRE_E2E=1 (set by CI) does not let the browser tests be skipped`);
    });
  });
} else if (chromiumMissing) {
  console.warn(`[backups e2e] SKIPPED: ${chromiumMissing}`);
}

/** Charts written by the CLI's engine before the app opens the folder. */
async function seed(data: string): Promise<{ billing: string; garden: string }> {
  const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
  const charts = new ChartService(engine);
  const billing = (await charts.create('work', { outcome: 'Ship billing to all customers', reality: ['3 pilot customers', 'Invoices by hand'], dueDate: '2027-12-31', steps: ['Automate invoices', 'Migrate customers'] })).id;
  await charts.telescope('work', `${billing}_action_1`, { reality: 'A spreadsheet', steps: ['Pick a library'] });
  const garden = (await charts.create('work', { outcome: 'A tidy garden', reality: ['Weeds everywhere'], steps: ['Pull the weeds'] })).id;
  await charts.create('home', { outcome: 'Run a marathon in spring', reality: ['I run 10 km'] });
  await engine.close();
  return { billing, garden };
}

/** The app's timers as the shell runs them, but soon: the check a moment after start and after each change. */
const quickChecks = (schedulerDelayMs: number) => ({ scheduler: { startDelayMs: schedulerDelayMs }, verification: { startDelayMs: 300, afterChangeMs: 300 } });

describe.skipIf(!!chromiumMissing)(`backups and recovery, in Chromium${chromiumMissing ? ` (SKIPPED: ${chromiumMissing})` : ''}`, () => {
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    removeTempDirs();
  });

  async function openApp(server: BridgeServer, viewport = { width: 1200, height: 860 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${server.url}/?bridge=/bridge`);
    await page.getByRole('navigation', { name: 'Contexts' }).getByText('work').first().waitFor();
    return page;
  }

  const wizard = (page: Page) => page.getByRole('dialog', { name: 'Recovery wizard' });

  /**
   * Takes one kind of damage through the wizard. `choice`: the damage needs the person (garbage
   * found when the app opens: nothing holds those lines), who walks all five steps; otherwise it
   * was repaired on its own (the journal holds every record, or the app's read of another
   * program's change already set the bytes aside) and the wizard shows what was found and done.
   */
  async function throughTheWizard(page: Page, kind: DamageKind | 'file-and-journal', choice: boolean, shots: string | undefined): Promise<void> {
    const shot = async (name: string) => {
      if (shots) await page.screenshot({ path: screenshotPath(`${shots}-${name}`) });
    };
    if (choice) {
      const open = page.getByRole('button', { name: 'Open the recovery wizard for work' });
      await open.waitFor({ timeout: 15_000 });
      // The sidebar's badge agrees with the check, even where the last read of the file found nothing wrong.
      await expect.poll(() => page.getByRole('navigation', { name: 'Contexts' }).getByLabel('health: damaged').count()).toBe(1);
      await shot('0-alert');
      await open.click();
      const w = wizard(page);
      await w.getByRole('region', { name: 'What was found' }).waitFor();
      await expect.poll(() => w.locator('pre.damaged-bytes').count()).toBeGreaterThan(0);
      expect(await w.locator('pre.damaged-bytes').first().textContent()).toMatch(/\\x[0-9a-f]{2}/i);
      await shot('1-found');
      await w.getByRole('button', { name: 'Next' }).click();
      await w.getByRole('region', { name: 'Where each record can come from' }).waitFor();
      expect(await w.getByRole('region', { name: 'Where each record can come from' }).textContent()).toMatch(/the backup of/);
      await shot('2-sources');
      await w.getByRole('button', { name: 'Next' }).click();
      // The repair's own plan shows what it can deliver: what the damaged journal entry and line
      // held, it takes from the backup (the chart is there after the repair).
      const preview = w.getByRole('region', { name: 'Preview of the repaired context' });
      await preview.waitFor();
      expect(await preview.getByRole('list', { name: 'Charts after the repair' }).textContent()).toContain('A tidy garden');
      await shot('3-preview');
      await w.getByRole('button', { name: 'Next' }).click();
      const choose = w.getByRole('region', { name: 'Choose what to do' });
      await choose.waitFor();
      expect(await w.getByRole('checkbox', { name: /Back up the current state first/ }).isChecked()).toBe(true);
      // The person restores the whole context from the backup instead, seeing what it holds first.
      await choose.getByRole('radio', { name: /Restore it from a backup/ }).check();
      await choose.getByRole('region', { name: 'Restore preview' }).waitFor();
      expect(await choose.getByRole('region', { name: 'Restore preview' }).textContent()).toMatch(/A tidy garden/);
      await shot('4-choice');
      await w.getByRole('button', { name: 'Restore from this backup' }).click();
    } else {
      // The journal holds every damaged record: repaired on its own, then shown.
      const see = page.getByRole('button', { name: 'See what was done in work' });
      await see.waitFor({ timeout: 15_000 });
      await shot('0-repaired-on-its-own');
      await see.click();
      const w = wizard(page);
      await w.getByRole('region', { name: 'The result' }).waitFor();
      await w.getByRole('button', { name: '1. What was found' }).click();
      const found = await w.getByRole('region', { name: 'What was found' }).textContent();
      expect(found).toMatch(kind === 'deleted' ? /is missing/ : /damaged line/);
      await shot('1-found');
      await w.getByRole('button', { name: 'Next' }).click();
      await w.getByRole('region', { name: 'Where each record can come from' }).waitFor();
      expect(await w.getByRole('region', { name: 'Where each record can come from' }).textContent()).toMatch(kind === 'garbage' ? /No record was damaged/ : /journal/);
      await w.getByRole('button', { name: 'Next' }).click();
    }
    const w = wizard(page);
    const result = w.getByRole('region', { name: 'The result' });
    await result.waitFor();
    await expect.poll(() => result.getByRole('status').textContent()).toMatch(/Checked afterwards: work is sound/);
    if (choice) expect(await result.textContent()).toMatch(/The state before is kept in the backup/);
    if (kind !== 'deleted') {
      // The damaged bytes are set aside and openable.
      const setAside = result.getByRole('list', { name: 'Files in .recovery' }).getByRole('button', { name: /\.bad$/ }).first();
      await setAside.click();
      await result.getByRole('region', { name: /^Contents of .*\.bad$/ }).waitFor();
    }
    await shot('5-result');
    await w.getByRole('button', { name: 'Done' }).click();
    await w.waitFor({ state: 'detached' });
  }

  for (const when of ['while the app is open', 'before the app starts'] as const) {
    for (const kind of DAMAGE_KINDS) {
      it(`${kind === 'flipped' ? 'bytes flipped' : kind === 'cut' ? 'a line cut' : kind === 'garbage' ? 'garbage appended' : 'the file deleted'} ${when}: through the wizard, no record lost`, async () => {
        const data = path.join(tempDir('tension-recovery-e2e-'), '.coaia');
        await seed(data);
        const file = path.join(data, 'charts-work.jsonl');
        const before = recordsOf(file);
        expect(before.length).toBeGreaterThan(10);
        if (when === 'before the app starts') damageFile(file, kind);
        const server = await startBridgeServer({ data, distDir, watcherPollMs: 200, background: quickChecks(600_000) });
        const page = await openApp(server);
        try {
          if (when === 'while the app is open') damageFile(file, kind);
          const shots = when === 'while the app is open' && kind === 'flipped' ? 'backups-wizard-on-its-own' : undefined;
          await throughTheWizard(page, kind, false, shots);
          await server.engine.flush();
          expect(recordsOf(file), 'every record as before the damage').toEqual(before);
          // The sidebar agrees: no ▲ left.
          await expect.poll(() => page.getByRole('navigation', { name: 'Contexts' }).getByLabel('health: damaged').count()).toBe(0);
          expect(await page.getByRole('button', { name: /Ship billing to all customers/ }).count()).toBeGreaterThan(0);
        } finally {
          await page.close();
          await server.close();
        }
        expect(pageErrors).toEqual([]);
      }, 90_000);
    }
  }

  it('a damaged line whose journal entry is damaged too, found when the app starts: the repair’s preview shows the chart taken from the backup; the person restores the context from the backup instead, through all five steps, no record lost', async () => {
    const data = path.join(tempDir('tension-recovery-e2e-'), '.coaia');
    await seed(data);
    const backupEngine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
    await createBackup(backupEngine, 'manual');
    await backupEngine.close();
    const file = path.join(data, 'charts-work.jsonl');
    const before = recordsOf(file);
    // The garden chart's desired outcome: its line in the file, and the journal entry that made the chart (nothing edited it later).
    const journal = path.join(data, '.history', 'charts-work.journal.jsonl');
    const lineWith = (at: string, text: string) => fs.readFileSync(at, 'utf8').split('\n').findIndex((line) => line.includes(text));
    damageFile(file, 'flipped', lineWith(file, '"A tidy garden"'));
    damageFile(journal, 'flipped', lineWith(journal, '"A tidy garden"'));
    const server = await startBridgeServer({ data, distDir, watcherPollMs: 200, background: quickChecks(600_000) });
    const page = await openApp(server);
    try {
      await throughTheWizard(page, 'file-and-journal', true, 'backups-wizard');
      await server.engine.flush();
      expect(recordsOf(file), 'every record as before the damage').toEqual(before);
      await expect.poll(() => page.getByRole('navigation', { name: 'Contexts' }).getByLabel('health: damaged').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Open the recovery wizard for work' }).count()).toBe(0);
    } finally {
      await page.close();
      await server.close();
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('a backup made from the panel; a chart deleted, previewed beside today, restored, undone, and put back from Recently deleted', async () => {
    const data = path.join(tempDir('tension-backups-e2e-'), '.coaia');
    const { billing } = await seed(data);
    // The scheduled backup comes a moment after start (a first run catches up every slot).
    const server = await startBridgeServer({ data, distDir, watcherPollMs: 200, background: quickChecks(500) });
    const page = await openApp(server);
    try {
      const status = page.getByRole('button', { name: /^Backups: / });
      await expect.poll(() => status.getAttribute('aria-label'), { timeout: 15_000 }).toMatch(/Backed up just now · verified just now/);
      await status.click();
      const panel = page.getByRole('dialog', { name: 'Backups' });
      await panel.getByRole('region', { name: 'Backup list' }).waitFor();
      await expect.poll(() => panel.locator('tr[data-backup]').count()).toBe(1);
      expect(await panel.locator('tr[data-backup]').first().textContent()).toMatch(/daily \+ weekly \+ monthly/);

      await panel.getByRole('button', { name: 'Back up now' }).click();
      await expect.poll(() => panel.locator('tr[data-backup]').count()).toBe(2);
      const newest = panel.locator('tr[data-backup]').first();
      expect(await newest.textContent()).toMatch(/made by hand/);
      expect(await newest.textContent()).toMatch(/✓/);
      expect(await newest.textContent()).toMatch(/shared/);
      await panel.getByRole('button', { name: 'Verify now' }).click();
      await expect.poll(() => panel.getByRole('status').first().textContent()).toMatch(/All 2 backups verified/);
      await page.screenshot({ path: screenshotPath('backups-panel') });
      await panel.getByRole('button', { name: 'Close Backups' }).click();

      // The chart is deleted (as the app deletes it) and is gone from the list.
      await new ChartService(server.engine).removeChart('work', billing);
      await expect.poll(() => page.getByRole('button', { name: /Ship billing to all customers/ }).count()).toBe(0);

      await status.click();
      await panel.locator('tr[data-backup]').first().getByRole('button', { name: /^Restore from the backup of/ }).click();
      const flow = panel.getByRole('region', { name: 'Restore from a backup' });
      await flow.getByRole('region', { name: 'Restore preview' }).waitFor();
      await flow.getByLabel('Context').selectOption('work');
      await expect.poll(() => flow.getByRole('region', { name: 'Restore preview' }).textContent()).toMatch(/everything in work/);
      expect(await flow.textContent()).toMatch(/Ship billing to all customers.*comes back/s);
      await flow.getByRole('button', { name: 'Restore only the chart Ship billing to all customers' }).click();
      await flow.getByRole('region', { name: 'In the backup' }).waitFor();
      expect(await flow.getByRole('region', { name: 'In the backup' }).textContent()).toContain('Automate invoices');
      expect(await flow.getByRole('region', { name: 'Today' }).textContent()).toMatch(/Not there today/);
      await page.screenshot({ path: screenshotPath('backups-restore-preview') });
      await flow.getByRole('button', { name: 'Restore this chart' }).click();
      await panel.getByRole('button', { name: 'Undo the restore' }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: /Ship billing to all customers/ }).count()).toBeGreaterThan(0);
      expect((await new ChartService(server.engine).list('work')).map((c) => c.desiredOutcome)).toContain('Ship billing to all customers');

      await panel.getByRole('button', { name: 'Undo the restore' }).click();
      await expect.poll(async () => (await new ChartService(server.engine).list('work')).map((c) => c.desiredOutcome)).not.toContain('Ship billing to all customers');

      // Recently deleted has it (with who deleted it), and puts it back with one click.
      await panel.getByRole('button', { name: 'Recently deleted…' }).click();
      const deleted = page.getByRole('dialog', { name: 'Recently deleted' });
      // Deleted twice (by hand, then by the undo of its restore): the newest comes first.
      const item = deleted.getByRole('listitem', { name: 'Chart: Ship billing to all customers' }).first();
      await item.waitFor();
      expect(await item.textContent()).toMatch(/Deleted .* by /);
      await page.screenshot({ path: screenshotPath('backups-recently-deleted') });
      await item.getByRole('button', { name: 'Restore chart Ship billing to all customers' }).click();
      await deleted.getByRole('status').waitFor();
      await expect.poll(async () => (await new ChartService(server.engine).list('work')).map((c) => c.desiredOutcome)).toContain('Ship billing to all customers');
      await deleted.getByRole('button', { name: 'Close Recently deleted' }).click();

      // The policy: a preview says what it would remove before it is saved.
      await status.click();
      const policy = panel.getByRole('region', { name: 'Retention policy' });
      await policy.getByLabel('Daily backups to keep').fill('1');
      await policy.getByLabel('Weekly backups to keep').fill('0');
      await policy.getByLabel('Monthly backups to keep').fill('0');
      await expect.poll(() => policy.textContent()).toMatch(/this keeps \d+ and removes \d+/);
      expect(fs.existsSync(path.join(data, '.backup', 'policy.json'))).toBe(false);
      await policy.getByRole('button', { name: 'Save the policy' }).click();
      await policy.getByRole('status').waitFor();
      expect(JSON.parse(fs.readFileSync(path.join(data, '.backup', 'policy.json'), 'utf8'))).toMatchObject({ keepDaily: 1, keepWeekly: 0, keepMonthly: 0 });

      // 800×600 and the dark theme: the panel still fits, Close still reachable.
      await page.setViewportSize({ width: 800, height: 600 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('backups-panel-800x600-dark') });
      const close = panel.getByRole('button', { name: 'Close Backups' });
      const box = await close.boundingBox();
      expect(box && box.x + box.width <= 800 && box.y >= 0 && box.y + box.height <= 600).toBe(true);
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
    } finally {
      await page.close();
      await server.close();
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
