import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, type MenuItemTemplate } from '../../electron/app/menuTemplate.ts';
import { appDataLayout } from '../../electron/app/dataLocation.ts';

function roles(menu: MenuItemTemplate[]): string[] {
  return menu.flatMap((item) => [...(item.role ? [item.role] : []), ...roles(item.submenu ?? [])]);
}

describe('the application menu', () => {
  it('on Linux and Windows: File with quit, Edit, View, Window; no DevTools in the packaged app', () => {
    const menu = buildMenuTemplate({ platform: 'linux', appName: 'Tension Desk', devTools: false });
    expect(menu.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window']);
    expect(roles(menu)).toContain('quit');
    expect(roles(menu)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'reload', 'zoomIn', 'minimize']));
    expect(roles(menu)).not.toContain('toggleDevTools');
  });

  it('on macOS: the app menu first, with about, hide and quit', () => {
    const menu = buildMenuTemplate({ platform: 'darwin', appName: 'Tension Desk', devTools: true });
    expect(menu[0]?.label).toBe('Tension Desk');
    expect(roles([menu[0]!])).toEqual(expect.arrayContaining(['about', 'hide', 'quit']));
    expect(roles(menu)).toContain('toggleDevTools');
    expect(roles(menu).filter((r) => r === 'quit')).toHaveLength(1);
  });

  it('holds only standard roles: no item opens anything outside the app', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const walk = (items: MenuItemTemplate[]): void => {
        for (const item of items) {
          expect(Object.keys(item).every((key) => ['label', 'role', 'type', 'submenu'].includes(key))).toBe(true);
          walk(item.submenu ?? []);
        }
      };
      walk(buildMenuTemplate({ platform, appName: 'Tension Desk', devTools: true }));
    }
  });
});

describe('where the app keeps its data', () => {
  const base = { env: {}, cwd: '/work/project', home: '/home/someone' };

  it('takes --data or --memory-path from among Electron and Chromium arguments', () => {
    expect(appDataLayout({ ...base, argv: ['.', '--no-sandbox', '--data', '/srv/.coaia'] })).toMatchObject({ root: path.resolve('/srv/.coaia'), source: '--data' });
    expect(appDataLayout({ ...base, argv: ['--data=/srv/x', '--enable-logging'] })).toMatchObject({ root: path.resolve('/srv/x') });
    expect(appDataLayout({ ...base, argv: ['--memory-path', '/srv/memory.jsonl'] })).toMatchObject({ root: path.resolve('/srv'), prefix: 'memory', source: '--memory-path' });
  });

  it('falls back like the CLI: environment, then the nearest .coaia, then ~/.coaia', () => {
    expect(appDataLayout({ ...base, argv: [], env: { TENSION_DATA: '/srv/env' } })).toMatchObject({ root: path.resolve('/srv/env'), source: 'TENSION_DATA' });
    expect(appDataLayout({ ...base, argv: ['--data'], cwd: '/' })).toMatchObject({ root: path.join('/home/someone', '.coaia'), source: 'home folder' });
  });
});
