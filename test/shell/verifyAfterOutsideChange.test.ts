// The app verifies a context again a moment after another program changed it
// (scheduledVerification.ts, outsideChange). Its own commits and rewrites move the journal
// head too, and live updates see them; they must not set off a verification: one reads the
// whole file and journal while holding the engine (10-15 s at 100k charts), and in a burst each
// commit waited for the verification the one before had set off. The app's services run here
// as the app runs them (in this thread); the other program is a real CLI process.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineServices } from '../../electron/app/engineServices.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { exitOf, spawnCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

describe('the check after a change', () => {
  it('runs when another program changed a context, not after the app\'s own commits and rewrites', async () => {
    const home = tempDir('tension-verify-change-');
    const data = path.join(home, '.coaia');
    const host = await startEngineServices(
      {
        dataLocation: { argv: ['--data', data], env: {}, cwd: home, home },
        version: 'test',
        // Rewrites soon after each commit: they append to the journal as well.
        engineOptions: { rewriteDelayMs: 20 },
        watcherOptions: { debounceMs: 10, pollMs: 100 },
        backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000, afterChangeMs: 100 } },
      },
      { emit: () => undefined, log: () => undefined },
    );
    // When the check last read the context through, and by whom (the health view's figure; an open counts as 'open').
    const lastRun = async () => {
      const answer = (await host.handle('health.report', { context: 'work' })) as { ok: boolean; value: { contexts: { context: string; integrity: { lastVerified: { at: string; by: string } | null } }[] } };
      const verified = answer.value.contexts.find((c) => c.context === 'work')?.integrity.lastVerified;
      return verified?.by === 'schedule' ? verified.at : undefined;
    };
    try {
      await host.watching;
      for (let i = 0; i < 3; i += 1) {
        const created = (await host.handle('charts.create', { context: 'work', outcome: `Ours ${i}`, reality: ['r'] })) as { ok: boolean };
        expect(created.ok).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      // Long past the debounce, the check's delay and the rewrites.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await lastRun(), 'a verification ran after the app\'s own commits').toBeUndefined();

      const cli = await exitOf(spawnCli(['chart', 'create', '--context', 'work', '--outcome', 'From the CLI', '--reality', 'r'], { env: { TENSION_DATA: data } }), 60_000);
      expect(cli?.code, cli?.stderr).toBe(0);
      let ran: string | undefined;
      const started = Date.now();
      while (ran === undefined && Date.now() - started < 20_000) {
        ran = await lastRun();
        if (ran === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(ran, 'no verification after the CLI changed the context').toBeDefined();
    } finally {
      await host.close();
    }
  }, 60_000);
});
