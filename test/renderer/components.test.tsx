// @vitest-environment happy-dom
// The components on the real handlers (in-memory transport): the sidebar, the virtualized
// list, Fritz's layout, the new-chart form keeping its input on an error, shortcuts, and a
// live refresh that leaves a half-typed field alone.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { StoresProvider } from '../../renderer/components/StoresProvider.tsx';
import { App } from '../../renderer/components/App.tsx';
import { startLiveUpdates } from '../../renderer/stores/liveUpdates.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { FIRST_ROWS } from '../../shared/firstScreen.ts';
import { realHarness } from './realTransport.ts';
import { renderApp } from './appOnScreen.tsx';

afterEach(() => {
  cleanup();
  removeTempDirs();
});

describe('the renderer components', () => {
  it('shows contexts with counts and health, and opens a chart in Fritz’s layout (outcome, steps, reality)', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: [{ title: 'Late step', dueDate: '2027-09-01' }, { title: 'Overdue step', dueDate: '2020-01-01' }] });
    await renderApp(h);
    const sidebar = screen.getByRole('navigation', { name: 'Contexts' });
    await waitFor(() => expect(within(sidebar).getByText('work')).toBeTruthy());
    expect(within(sidebar).getByLabelText('1 charts')).toBeTruthy();
    expect(within(sidebar).getByLabelText('health: ok')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /Ship billing/ }));
    const card = await screen.findByRole('article', { name: 'Chart: Ship billing' });
    const regions = within(card).getAllByRole('region').map((r) => r.getAttribute('aria-label'));
    expect(regions).toEqual(['Desired outcome', 'Action steps', 'Current reality']);
    // Read bottom-up: the earliest step sits just above current reality, and it is overdue.
    const steps = within(card).getAllByRole('listitem').filter((li) => li.classList.contains('step'));
    expect(steps.map((s) => s.getAttribute('data-step'))).toEqual([`${id}_action_1`, `${id}_action_2`]);
    expect(steps[1]!.classList.contains('overdue')).toBe(true);
    expect(within(card).getByLabelText('Progress: 0 of 2 steps done')).toBeTruthy();
    await h.engine.close();
  });

  it('keeps only the rows on screen in the DOM for a list of 50,000 charts', async () => {
    const h = await realHarness();
    await renderApp(h);
    const many: ChartSummary[] = Array.from({ length: 50_000 }, (_, i) => ({ id: `chart_${i}`, context: 'bulk', desiredOutcome: `Outcome ${i}`, level: 0, complete: false, stepsDone: 0, stepsTotal: 3, dueDate: `2027-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    act(() => h.stores.charts.setState({ summaries: many, loaded: true }));
    const list = screen.getByRole('list', { name: 'Chart list' });
    expect(list.getAttribute('aria-rowcount')).toBe('50000');
    expect(within(list).getAllByRole('listitem').length).toBeLessThan(40);
    await h.engine.close();
  });

  it('N opens the new-chart form; a refused chart keeps everything typed and says why in plain words', async () => {
    const h = await realHarness();
    await renderApp(h);
    fireEvent.keyDown(document.body, { key: 'n' });
    const dialog = await screen.findByRole('dialog', { name: 'New chart' });
    fireEvent.change(within(dialog).getByLabelText('Context'), { target: { value: 'bad name!' } });
    fireEvent.change(within(dialog).getByLabelText('Desired outcome'), { target: { value: 'Write a book' } });
    fireEvent.change(within(dialog).getByLabelText('Step 1'), { target: { value: 'Outline' } });
    fireEvent.change(within(dialog).getByLabelText('Current reality (one line each)'), { target: { value: 'An idea' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create chart' }));
    // Said at the field, in plain words, before anything is sent.
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toMatch(/^Context: use letters, digits/);
    expect(within(dialog).getByLabelText('Context').getAttribute('aria-invalid')).toBe('true');
    expect(h.stores.charts.getState().summaries).toEqual([]);
    expect((within(dialog).getByLabelText('Desired outcome') as HTMLInputElement).value).toBe('Write a book');
    expect((within(dialog).getByLabelText('Step 1') as HTMLInputElement).value).toBe('Outline');
    fireEvent.change(within(dialog).getByLabelText('Context'), { target: { value: 'writing' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create chart' }));
    await screen.findByRole('article', { name: 'Chart: Write a book' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await h.engine.close();
  });

  it('a live refresh from another writer updates the open chart and leaves a half-typed field alone', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices'] });
    const stop = startLiveUpdates(h.stores);
    await renderApp(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    const field = screen.getByLabelText('New step for Ship billing') as HTMLInputElement;
    fireEvent.change(field, { target: { value: 'half-typed' } });
    await h.charts.addStep('work', id, { title: 'From the CLI' });
    act(() => h.transport.emit('data.changed', { context: 'work', seq: 5, external: [] }));
    await screen.findByText('From the CLI', {}, { timeout: 2_000 });
    expect((screen.getByLabelText('New step for Ship billing') as HTMLInputElement).value).toBe('half-typed');
    stop();
    await h.engine.close();
  });
  it('shows the list\'s first rows, sorted, with the whole count and parents\' outcomes, while the whole list is still on its way', async () => {
    let release: () => void = () => undefined;
    const wholeList = new Promise<void>((resolve) => (release = resolve));
    // The whole list's answer is held back until the test lets it go; every other answer goes at once.
    const h = await realHarness({ before: (channel) => (channel === 'charts.changes' ? wholeList : Promise.resolve()) });
    for (let i = 0; i < FIRST_ROWS + 4; i += 1) await h.charts.create('work', { outcome: `Chart ${i}`, reality: 'r', dueDate: `2027-01-${String((i % 28) + 1).padStart(2, '0')}` });
    const { id: parent } = await h.charts.create('work', { outcome: 'Ship billing', reality: 'r', dueDate: '2027-06-01', steps: [{ title: 'Automate invoices', dueDate: '2026-01-01' }] });
    await h.charts.telescope('work', `${parent}_action_1`, { steps: ['inner'] });
    render(
      <StoresProvider stores={h.stores}>
        <App />
      </StoresProvider>,
    );
    const list = await screen.findByRole('list', { name: 'Chart list' });
    await waitFor(() => expect(list.getAttribute('aria-rowcount')).toBe(String(FIRST_ROWS)));
    expect(h.stores.charts.getState().loaded).toBe(false);
    expect(screen.getByTestId('list-count').textContent).toBe(`${FIRST_ROWS + 6} in all contexts, the first ${FIRST_ROWS} shown while the rest is read`);
    // The sub-chart is due first (its step's date), and names the chart it belongs to.
    const rows = within(list).getAllByRole('listitem');
    expect(rows[0]!.querySelector('button')?.getAttribute('aria-label')).toMatch(/^Automate invoices, sub-chart of Ship billing, in work/);
    expect(screen.queryByText('Loading charts…')).toBeNull();
    release();
    await waitFor(() => expect(h.stores.charts.getState().loaded).toBe(true));
    await waitFor(() => expect(list.getAttribute('aria-rowcount')).toBe(String(FIRST_ROWS + 6)));
    expect(screen.getByTestId('list-count').textContent).toBe(`${FIRST_ROWS + 6} in all contexts`);
    expect(h.stores.charts.getState().firstRows).toBeNull();
    await h.engine.close();
  });
  it('counts nothing until the lists are read: no "0" while a large file is still being read', async () => {
    let release: () => void = () => undefined;
    const read = new Promise<void>((resolve) => (release = resolve));
    // Every list's answer is held back, as while the engine reads a large file.
    const h = await realHarness({ before: (channel) => (['contexts.list', 'charts.firstRows', 'charts.changes', 'charts.list'].includes(channel) ? read : Promise.resolve()) });
    await h.charts.create('work', { outcome: 'Ship billing', reality: 'r' });
    render(
      <StoresProvider stores={h.stores}>
        <App />
      </StoresProvider>,
    );
    const sidebar = screen.getByRole('navigation', { name: 'Contexts' });
    expect(within(sidebar).getByLabelText('not counted yet').textContent).toBe('…');
    expect(screen.getByTestId('list-count').textContent).toBe('');
    expect(screen.getByText('Loading charts…')).toBeTruthy();
    release();
    await waitFor(() => expect(screen.getByTestId('list-count').textContent).toBe('1 in all contexts'));
    expect(within(sidebar).queryByLabelText('not counted yet')).toBeNull();
    expect(within(sidebar).getByRole('button', { name: /All contexts/ }).textContent).toBe('All contexts1');
    await h.engine.close();
  });

  it('keeps the first rows, and says the rest could not be read, when the whole list fails', async () => {
    const refusal = { ok: false as const, error: { code: 'INTERNAL' as const, message: 'The disk went away.', kept: 'Changes already saved are kept.' } };
    const h = await realHarness({ before: async (channel) => (channel === 'charts.changes' ? refusal : undefined) });
    for (let i = 0; i < FIRST_ROWS + 2; i += 1) await h.charts.create('work', { outcome: `Chart ${i}`, reality: 'r' });
    render(
      <StoresProvider stores={h.stores}>
        <App />
      </StoresProvider>,
    );
    const list = await screen.findByRole('list', { name: 'Chart list' });
    await waitFor(() => expect(screen.getByTestId('list-count').textContent).toBe(`${FIRST_ROWS + 2} in all contexts, the first ${FIRST_ROWS} shown (the rest could not be read)`));
    expect(list.getAttribute('aria-rowcount')).toBe(String(FIRST_ROWS));
    expect(h.stores.notifications.getState().notices.some((n) => n.title === 'The charts could not be read')).toBe(true);
    await h.engine.close();
  });
});

describe('the progress bar in the header', () => {
  it('shows a measured task (how far a long read has gone) before older tasks that only say they run', async () => {
    const h = await realHarness();
    await renderApp(h);
    const notifications = h.stores.notifications.getState();
    // The window's own requests, waiting for the engine (they began first).
    act(() => void notifications.startTask('Reading the backups'));
    act(() => void notifications.startTask('Reading the contexts'));
    let reading = 0;
    act(() => {
      reading = notifications.startTask('Reading charts.jsonl (250 MB)', 400);
      notifications.updateTask(reading, 100, 400);
    });
    const bar = await screen.findByRole('progressbar', { name: 'Reading charts.jsonl (250 MB)' }, { timeout: 3_000 });
    expect(bar.getAttribute('value')).toBe('100');
    expect(bar.parentElement?.textContent).toContain('(+2 more)');
    // Once it is done, the oldest of the others shows, without a measure.
    act(() => notifications.endTask(reading));
    const next = await screen.findByRole('progressbar', { name: 'Reading the backups' });
    expect(next.getAttribute('value')).toBeNull();
    await h.engine.close();
  });
});
