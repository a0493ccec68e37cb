// @vitest-environment happy-dom
// Text typed in a chart the person then left (another chart open) stays reachable when another
// program takes that chart away: moved by the CLI to another context, the window says where it
// went and opens it there with the text in its field; its sub-chart removed by the CLI, the text
// is listed apart. The window hears of the CLI's change as the app does: a watcher on the data
// folder sends data.changed, and the live updates refresh the stores.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { cliOk } from '../helpers/runCli.ts';
import { realHarness } from './realTransport.ts';
import { liveWindow } from './liveWindow.ts';

afterEach(() => {
  cleanup();
  removeTempDirs();
});

const TYPED = 'Ship billing to all 400 customers by June';
/** Long enough for the watcher's poll to see another process's change, however loaded the machine. */
const SEEN = { timeout: 20_000 };

describe('text typed in a chart that is not open, which another program then takes away', () => {
  it('moved by the CLI to another context: the window says where it went, and opens it there with the text in its field, which saves there', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['A'] });
    const { id: other } = await h.charts.create('work', { outcome: 'Hire a designer', reality: ['No one yet'] });
    await h.charts.create('clients', { outcome: 'Keep Acme', reality: ['Renewal due'] });
    const stop = await liveWindow(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit desired outcome' }));
    fireEvent.change(screen.getByLabelText('desired outcome'), { target: { value: TYPED } });
    await act(() => h.stores.selection.getState().select({ context: 'work', id: other }));

    cliOk(['chart', 'move', id, '--to', 'clients', '--context', 'work'], h.engine.layout.root);
    const kept = await screen.findByRole('status', { name: 'Text kept from moved charts' }, SEEN);
    expect(kept.textContent).toContain(TYPED);
    expect(kept.textContent).toMatch(/“Ship billing” .* moved to the context “clients”/);

    fireEvent.click(within(kept).getByRole('button', { name: 'Open it there' }));
    await waitFor(() => expect(h.stores.selection.getState().open).toEqual({ context: 'clients', id }));
    const field = (await screen.findByLabelText('desired outcome')) as HTMLTextAreaElement;
    expect(field.value).toBe(TYPED);
    expect(screen.queryByRole('status', { name: 'Text kept from moved charts' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(async () => expect((await h.charts.show('clients', id)).desiredOutcome).toBe(TYPED));
    await stop();
  });

  it('typed in a sub-chart, then another chart opened, and the CLI removed the step it came from: the text is listed apart', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices'] });
    const { id: other } = await h.charts.create('work', { outcome: 'Hire a designer', reality: ['No one yet'] });
    await h.charts.telescope('work', `${id}_action_1`, { reality: 'Typed by hand', steps: ['Pick a service'] });
    const stop = await liveWindow(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    fireEvent.click(await screen.findByRole('button', { name: 'Show the sub-chart of step Automate invoices' }));
    const nested = await screen.findByRole('group', { name: 'Sub-chart of step Automate invoices' });
    fireEvent.click(within(nested).getByRole('button', { name: 'Edit title of step Pick a service' }));
    fireEvent.change(within(nested).getByLabelText('title of step Pick a service'), { target: { value: 'Pick Stripe' } });
    await act(() => h.stores.selection.getState().select({ context: 'work', id: other }));

    cliOk(['step', 'remove', `${id}_action_1`, '--context', 'work'], h.engine.layout.root);
    const kept = await screen.findByRole('status', { name: 'Text kept from removed charts' }, SEEN);
    expect(kept.textContent).toContain('Pick Stripe');
    await stop();
  });
});
