// The whole window rendered on a real engine (realTransport.ts), for component tests: shown
// once the chart list has loaded.
import { expect } from 'vitest';
import { render, waitFor } from '@testing-library/react';
import { StoresProvider } from '../../renderer/components/StoresProvider.tsx';
import { App } from '../../renderer/components/App.tsx';
import type { Harness } from './realTransport.ts';

export async function renderApp(h: Harness): Promise<void> {
  render(
    <StoresProvider stores={h.stores}>
      <App />
    </StoresProvider>,
  );
  await waitFor(() => expect(h.stores.charts.getState().loaded).toBe(true));
}
