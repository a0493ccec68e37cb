// Issue 8, items 3, 4 and 9, on the engine's side: which data folders are refused, and how.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contextPaths, resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';
import { checkDataFolder } from '../../electron/core/dataFolder.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

describe('no name a person chooses maps onto a file the engine keeps for itself (item 3)', () => {
  it('--memory-path M/_intents.jsonl is refused: its journal would be the intent log', () => {
    const around = tempDir();
    const before = folderSnapshot(around);
    expect(() => resolveLayout({ memoryPath: path.join(around, '_intents.jsonl') })).toThrow(/_intents\.journal\.jsonl.*keeps for itself/);
    expect(() => resolveLayout({ env: { MEMORY_FILE_PATH: path.join(around, '_intents.jsonl') }, cwd: around })).toThrow(/MEMORY_FILE_PATH/);
    expect(folderSnapshot(around)).toEqual(before);
  });

  it('every path of a context is checked where it is built, whatever made the layout', () => {
    const layout: DataLayout = { root: '/r', prefix: '_intents', kind: 'memory-path', source: 'a test' };
    expect(() => contextPaths(layout, 'default')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    // Other contexts of that prefix, and ordinary names, are fine.
    expect(contextPaths(layout, 'work').journal).toBe('/r/.history/_intents-work.journal.jsonl');
    expect(contextPaths(resolveLayout({ memoryPath: '/m/intents.jsonl' }), 'default').journal).toBe('/m/.history/intents.journal.jsonl');
  });

  it('a data folder inside another one\'s .history/, .backup/ or .recovery/ is refused', () => {
    const project = tempDir();
    const root = path.join(project, '.coaia');
    fs.mkdirSync(path.join(root, '.history'), { recursive: true });
    expect(() => resolveLayout({ memoryPath: path.join(root, '.history', 'charts.journal.jsonl') })).toThrow(/inside .*\.history, where Tension Desk keeps its own files/);
    expect(() => resolveLayout({ data: path.join(root, '.backup', 'x') })).toThrow(/inside .*\.backup/);
    expect(() => resolveLayout({ data: path.join(root, '.recovery') })).toThrow(/inside .*\.recovery/);
    // `.backup` is a common word: outside a data folder of ours it is an ordinary folder name.
    expect(resolveLayout({ data: path.join(project, '.backup', 'notes', '.coaia') }).root).toBe(path.join(project, '.backup', 'notes', '.coaia'));
  });
});

describe('an empty path is an error, never a fall back to ~/.coaia (item 4)', () => {
  it('--data "", --memory-path "" and an empty environment variable are refused, saying which', () => {
    const home = tempDir();
    const cwd = tempDir();
    expect(() => resolveLayout({ data: '', cwd, home, env: {} })).toThrow(/--data is empty \(an unset shell variable\?\)/);
    expect(() => resolveLayout({ data: '  ', cwd, home, env: {} })).toThrow(/--data is empty/);
    expect(() => resolveLayout({ memoryPath: '', cwd, home, env: {} })).toThrow(/--memory-path is empty/);
    for (const name of ['TENSION_DATA', 'MEMORY_FILE_PATH', 'COAIAN_MF']) {
      expect(() => resolveLayout({ cwd, home, env: { [name]: '' } })).toThrow(new RegExp(`${name} is empty.*unset ${name}`));
    }
    // What is not consulted is not judged: --data wins over an empty variable.
    expect(resolveLayout({ data: 'd', cwd, home, env: { TENSION_DATA: '' } }).root).toBe(path.join(cwd, 'd'));
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

describe('a data folder that is not a folder is refused at once (item 9)', () => {
  it('--data naming a file, or a folder under a file, says which path is a file', () => {
    const around = tempDir();
    const file = path.join(around, 'notes.txt');
    fs.writeFileSync(file, 'mine');
    const before = folderSnapshot(around);
    for (const create of [false, true]) {
      expect(() => checkDataFolder(resolveLayout({ data: file }), { create })).toThrow(`--data: ${file} is a file, not a folder. Nothing was changed.`);
      expect(() => checkDataFolder(resolveLayout({ data: path.join(file, '.coaia') }), { create })).toThrow(`${file} is a file, not a folder`);
    }
    const folderAsMemoryFile = path.join(around, 'memory.jsonl');
    fs.mkdirSync(folderAsMemoryFile);
    expect(() => checkDataFolder(resolveLayout({ memoryPath: folderAsMemoryFile }), { create: true })).toThrow(/memory\.jsonl is a folder, not a file of records/);
    fs.rmdirSync(folderAsMemoryFile);
    expect(folderSnapshot(around)).toEqual(before);
  });

  it('--data /proc/self is refused at once for writing (mkdir there answers ENOENT; a recursive mkdir looped forever)', () => {
    if (process.platform !== 'linux') return;
    const started = performance.now();
    expect(() => checkDataFolder(resolveLayout({ data: '/proc/self' }), { create: true })).toThrow(/no folder can be made in \/proc\/self/);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Reading it is harmless: nothing there is ours, nothing is made.
    expect(() => checkDataFolder(resolveLayout({ data: '/proc/self' }), { create: false })).not.toThrow();
  });

  it('a new data folder is made one level at a time, with its .history/', () => {
    const around = tempDir();
    const layout = resolveLayout({ data: path.join(around, 'a', 'b', '.coaia') });
    checkDataFolder(layout, { create: true });
    expect(fs.statSync(path.join(layout.root, '.history')).isDirectory()).toBe(true);
    checkDataFolder(layout, { create: true });
  });
});
