// The placeholder page's only script: asks main, through the preload bridge, where the data
// lives and which contexts it holds, and keeps the list fresh on data.changed. It shows that
// the bridge works end to end before the real renderer exists.
'use strict';

function show(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

async function refresh() {
  const bridge = window.tension;
  if (!bridge) {
    show('status', 'The preload bridge is missing: window.tension is not defined.');
    return;
  }
  const info = await bridge.invoke('app.info', {});
  const contexts = await bridge.invoke('contexts.list', {});
  if (!info.ok) {
    show('status', info.error.message);
    return;
  }
  show('root', info.value.root);
  show('source', info.value.readOnly ? `${info.value.source} (read-only: ${info.value.readOnly})` : info.value.source);
  show('contexts', contexts.ok ? contexts.value.map((c) => `${c.context} (${c.charts} charts)`).join(', ') || 'none yet' : contexts.error.message);
  document.getElementById('info')?.removeAttribute('hidden');
}

window.addEventListener('DOMContentLoaded', () => {
  refresh().catch((error) => show('status', String(error)));
  window.tension?.on('data.changed', () => {
    refresh().catch((error) => show('status', String(error)));
  });
});
