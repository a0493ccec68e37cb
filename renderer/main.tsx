// The renderer's entry: choose the transport, make the stores, start live updates, render.
import { createRoot } from 'react-dom/client';
import { chooseTransport } from './transport/chooseTransport.ts';
import { createAppStores } from './stores/appStores.ts';
import { startLiveUpdates } from './stores/liveUpdates.ts';
import { StoresProvider } from './components/StoresProvider.tsx';
import { App } from './components/App.tsx';
import './styles/app.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
const transport = chooseTransport(window);
if ('problem' in transport) {
  root.render(<p className="fatal">{transport.problem}</p>);
} else {
  const stores = createAppStores(transport);
  startLiveUpdates(stores);
  root.render(
    <StoresProvider stores={stores}>
      <App />
    </StoresProvider>,
  );
}
