// @vitest-environment happy-dom
// What a person types into a chart is never lost when another program takes the chart away:
// a sub-chart removed under the open chart, or the open chart removed, leaves the text listed
// apart ("Text kept from removed charts"); the open chart moved to another context is followed
// there, and its field still holds what was typed.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';
import { renderApp } from './appOnScreen.tsx';

afterEach(() => {
  cleanup();
  removeTempDirs();
});

const TYPED = 'Pick Stripe, after the call with finance on Tuesday';

describe('a draft in a chart another program takes away', () => {
  it('typed in an expanded sub-chart whose step another program removed: the text is listed apart, and can be let go', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices'] });
    await h.charts.telescope('work', `${id}_action_1`, { reality: 'Typed by hand', steps: ['Pick a service'] });
    await renderApp(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    fireEvent.click(await screen.findByRole('button', { name: 'Show the sub-chart of step Automate invoices' }));
    const nested = await screen.findByRole('group', { name: 'Sub-chart of step Automate invoices' });
    fireEvent.click(within(nested).getByRole('button', { name: 'Edit title of step Pick a service' }));
    fireEvent.change(within(nested).getByLabelText('title of step Pick a service'), { target: { value: TYPED } });

    await h.charts.removeStep('work', `${id}_action_1`);
    await act(() => h.stores.refreshContext('work'));
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Sub-chart of step Automate invoices' })).toBeNull());
    const kept = screen.getByRole('status', { name: 'Text kept from removed charts' });
    expect(kept.textContent).toContain(TYPED);
    expect(kept.textContent).toContain('title of step Pick a service');

    fireEvent.click(within(kept).getByRole('button', { name: 'Let it go' }));
    expect(screen.queryByRole('status', { name: 'Text kept from removed charts' })).toBeNull();
    expect(h.stores.drafts.getState().drafts.size).toBe(0);
    await h.engine.close();
  });

  it('typed into the open chart another program moved to another context: the chart is followed there, its field holding the text, and it saves there', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['A'] });
    await h.charts.create('clients', { outcome: 'Keep Acme', reality: ['Renewal due'] });
    await renderApp(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit desired outcome' }));
    fireEvent.change(screen.getByLabelText('desired outcome'), { target: { value: 'Ship billing to all 400 customers by June' } });

    await h.charts.move('work', id, 'clients');
    await act(() => h.stores.refreshContext('work'));
    await waitFor(() => expect(h.stores.selection.getState().open).toEqual({ context: 'clients', id }));
    expect(h.stores.notifications.getState().notices.map((n) => n.title)).toEqual([expect.stringMatching(/“Ship billing” was moved to the context “clients”/)]);
    const field = (await screen.findByLabelText('desired outcome')) as HTMLTextAreaElement;
    expect(field.value).toBe('Ship billing to all 400 customers by June');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(async () => expect((await h.charts.show('clients', id)).desiredOutcome).toBe('Ship billing to all 400 customers by June'));
    await h.engine.close();
  });

  it('typed into the open chart another program removed: it says the chart was removed, and the text is listed apart', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['A'] });
    await renderApp(h);
    await act(() => h.stores.selection.getState().select({ context: 'work', id }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit desired outcome' }));
    fireEvent.change(screen.getByLabelText('desired outcome'), { target: { value: 'Ship billing to all 400 customers by June' } });

    await h.charts.removeChart('work', id);
    await act(() => h.stores.refreshContext('work'));
    await waitFor(() => expect(h.stores.selection.getState().open).toBeNull());
    expect(h.stores.notifications.getState().notices.map((n) => n.title)).toEqual([expect.stringMatching(/“Ship billing” is no longer there: it was removed/)]);
    expect(screen.getByRole('status', { name: 'Text kept from removed charts' }).textContent).toContain('Ship billing to all 400 customers by June');
    await h.engine.close();
  });
});
