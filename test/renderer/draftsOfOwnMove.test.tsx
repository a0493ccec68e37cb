// @vitest-environment happy-dom
// The window itself moves a chart whose fields hold typed text (not open at the time) to another
// context: the text follows the chart, and the listing of text kept from moved charts must not
// say another program moved it (it said "… by another program" for the window's own move). The
// engine is the real one, over the real handler table (realHarness).
import { afterEach, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';
import { renderApp } from './appOnScreen.tsx';

afterEach(() => {
  cleanup();
  removeTempDirs();
});

it('text typed in a chart the window itself moved follows it, and is not said to be moved by another program', async () => {
  const h = await realHarness();
  const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'] });
  const { id: other } = await h.charts.create('work', { outcome: 'Hire a designer', reality: ['No one yet'] });
  await h.charts.create('clients', { outcome: 'Keep Acme', reality: ['Renewal due'] });
  await renderApp(h);
  await act(() => h.stores.selection.getState().select({ context: 'work', id }));
  fireEvent.click(await screen.findByRole('button', { name: 'Edit desired outcome' }));
  fireEvent.change(screen.getByLabelText('desired outcome'), { target: { value: 'Typed text' } });
  await act(() => h.stores.selection.getState().select({ context: 'work', id: other }));
  await act(async () => {
    await h.stores.moves.getState().move('work', [id], 'clients');
  });
  const kept = await screen.findByRole('status', { name: 'Text kept from moved charts' }, { timeout: 5000 });
  expect(kept.textContent).toMatch(/“Ship billing” .* was moved to the context “clients”, and your text with it/);
  expect(kept.textContent).not.toMatch(/another program/);
  await h.engine.close();
});
