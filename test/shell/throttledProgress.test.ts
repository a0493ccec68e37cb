// Fine-grained progress (a scheduled backup tells every piece it stores and checks) reaches the
// windows a few times a second: the first, the last and a change of phase always, the rest at
// most every PROGRESS_EVENT_MS (electron/app/throttledProgress.ts). On a clock of the test's own.
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/contract.ts';
import { PROGRESS_EVENT_MS, throttledProgress } from '../../electron/app/throttledProgress.ts';

describe('progress passed on to the windows', () => {
  it('keeps the first, the last, every change of phase, and one per interval of the rest', () => {
    let clock = 0;
    const sent: ProgressEvent[] = [];
    const tell = throttledProgress((p) => sent.push(p), PROGRESS_EVENT_MS, () => clock);
    const step = (done: number, message: string, total = 100) => tell({ task: 'Scheduled backup', done, total, message });
    step(0, 'storing');
    for (let done = 1; done < 60; done += 1) {
      clock += 10;
      step(done, 'storing');
    }
    clock += 1;
    step(100, 'storing');
    step(0, 'verifying');
    step(1, 'verifying');
    clock += 1;
    step(100, 'verifying');
    // A second backup starts afresh.
    step(0, 'storing');
    expect(sent.map((p) => `${p.message} ${p.done}`)).toEqual(['storing 0', 'storing 10', 'storing 20', 'storing 30', 'storing 40', 'storing 50', 'storing 100', 'verifying 0', 'verifying 100', 'storing 0']);
  });

  it('another task is passed on at once', () => {
    const sent: string[] = [];
    const tell = throttledProgress((p) => sent.push(`${p.task} ${p.done}`), PROGRESS_EVENT_MS, () => 0);
    tell({ task: 'A', done: 0, total: 2 });
    tell({ task: 'B', done: 0, total: 2 });
    tell({ task: 'B', done: 1, total: 2 });
    expect(sent).toEqual(['A 0', 'B 0']);
  });
});
