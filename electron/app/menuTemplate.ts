// The application menu, built from Electron's standard roles (which bring their platform
// accelerators and behaviour). No item opens anything outside the app; DevTools only in
// development. main.ts turns the template into a Menu.

export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'appMenu'
  | 'fileMenu'
  | 'editMenu'
  | 'viewMenu'
  | 'windowMenu';

export interface MenuItemTemplate {
  readonly label?: string;
  readonly role?: MenuRole;
  readonly type?: 'separator' | 'normal';
  readonly submenu?: MenuItemTemplate[];
}

export interface MenuSettings {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  readonly devTools: boolean;
}

const separator: MenuItemTemplate = { type: 'separator' };

export function buildMenuTemplate(settings: MenuSettings): MenuItemTemplate[] {
  const mac = settings.platform === 'darwin';
  const menu: MenuItemTemplate[] = [];
  if (mac) {
    menu.push({
      label: settings.appName,
      submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
    });
  }
  menu.push({ label: 'File', submenu: mac ? [{ role: 'close' }] : [{ role: 'close' }, separator, { role: 'quit' }] });
  menu.push({
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []), { role: 'delete' }, separator, { role: 'selectAll' }],
  });
  menu.push({
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(settings.devTools ? [{ role: 'forceReload' } as const, { role: 'toggleDevTools' } as const] : []),
      separator,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  });
  menu.push({ label: 'Window', submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }] });
  return menu;
}
