import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contextFileName, contextOfFileName, contextPaths, resolveLayout, validateContextName } from '../../electron/core/dataRoot.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

describe('where the data lives', () => {
  it('a --data flag wins over the environment and the nearest .coaia folder', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, '.coaia'));
    const layout = resolveLayout({ data: '/tmp/x/.coaia', env: { TENSION_DATA: '/tmp/env' }, cwd: project });
    expect(layout.root).toBe('/tmp/x/.coaia');
    expect(layout.source).toBe('--data');
  });

  it('TENSION_DATA wins over the peer variables, which win over the nearest .coaia', () => {
    const cwd = tempDir();
    expect(resolveLayout({ env: { TENSION_DATA: 'd', MEMORY_FILE_PATH: '/m/mem.jsonl' }, cwd }).root).toBe(path.join(cwd, 'd'));
    const peer = resolveLayout({ env: { MEMORY_FILE_PATH: '/m/mem.jsonl' }, cwd });
    expect(peer).toMatchObject({ root: '/m', prefix: 'mem', kind: 'memory-path' });
    expect(resolveLayout({ env: { COAIAN_MF: '/n/narr.jsonl' }, cwd })).toMatchObject({ root: '/n', prefix: 'narr' });
  });

  it('finds the nearest .coaia walking up from the working folder, else the home folder', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, '.coaia'));
    const deep = path.join(project, 'a', 'b', 'c');
    fs.mkdirSync(deep, { recursive: true });
    expect(resolveLayout({ env: {}, cwd: deep }).root).toBe(path.join(project, '.coaia'));
    const elsewhere = tempDir();
    const home = tempDir();
    expect(resolveLayout({ env: {}, cwd: elsewhere, home }).root).toBe(path.join(home, '.coaia'));
  });

  it('names context files the way the peers do', () => {
    const coaia = resolveLayout({ data: '/r/.coaia' });
    expect(contextFileName(coaia, 'default')).toBe('charts.jsonl');
    expect(contextFileName(coaia, 'work')).toBe('charts-work.jsonl');
    expect(contextFileName(coaia, 'completed')).toBe('completed-charts.jsonl');
    expect(contextPaths(coaia, 'work').journal).toBe('/r/.coaia/.history/charts-work.journal.jsonl');
    const memory = resolveLayout({ memoryPath: '/m/memory.jsonl' });
    expect(contextFileName(memory, 'default')).toBe('memory.jsonl');
    expect(contextFileName(memory, 'personal')).toBe('memory-personal.jsonl');
    expect(contextOfFileName(coaia, 'charts-work.jsonl')).toBe('work');
    expect(contextOfFileName(coaia, 'completed-charts.jsonl')).toBe('completed');
    expect(contextOfFileName(coaia, 'notes.txt')).toBeUndefined();
    expect(contextOfFileName(memory, 'memory-personal.jsonl')).toBe('personal');
  });

  it('refuses context names that could reach outside the data folder', () => {
    for (const bad of ['', '..', '../x', 'a/b', 'a\\b', '.', 'a..b', 'x'.repeat(101), 'with space', 'ü']) {
      expect(() => validateContextName(bad), bad).toThrow(EngineError);
    }
    for (const good of ['work', 'work_q4', 'a.b', 'A-1']) expect(validateContextName(good)).toBe(good);
  });

  it('a memory path must name a .jsonl file', () => {
    expect(() => resolveLayout({ memoryPath: '/m/memory.json' })).toThrow(/\.jsonl/);
  });
});
