// A command loads only what it needs (issue 15: `tension chart list` at 1,000 charts in under
// 0.3 s, `--help` at most 1.5x `node -e 0`, in a fresh process each). What a run of the bundle
// loaded is read from its files: esbuild heads each source module it bundles with a comment
// naming it (`// electron/core/engine.ts`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { HELP_DELETED_DAYS } from '../../electron/cli/deletedCommands.ts';
import { DEFAULT_DELETED_DAYS } from '../../electron/core/recentlyDeleted.ts';

afterEach(removeTempDirs);

const recorder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'moduleLoads', 'recordLoads.mjs');

/** The source modules a run of the bundled command loaded (from the bundle's files it loaded). */
function sourcesLoadedBy(args: string[]): { status: number | null; sources: Set<string> } {
  const run = runCli(args, { env: { NODE_OPTIONS: `--import=${recorder}` } });
  const line = run.stderr.split('\n').find((l) => l.startsWith('loaded-modules: '));
  if (!line) throw new Error(`no list of loaded modules on stderr: ${run.stderr.slice(0, 500)}`);
  const files = (JSON.parse(line.slice('loaded-modules: '.length)) as string[]).map((url) => fileURLToPath(url)).filter((file) => file.includes(`${path.sep}out${path.sep}cli${path.sep}`));
  const sources = new Set<string>();
  for (const file of files) for (const [, source] of fs.readFileSync(file, 'utf8').matchAll(/^\/\/ ((?:electron|shared|node_modules)\/\S+)$/gm)) sources.add(source as string);
  if (sources.size === 0) throw new Error(`the bundle's files name no source module: ${files.join(', ')}`);
  return { status: run.status, sources };
}

const matching = (sources: Set<string>, pattern: RegExp) => [...sources].filter((s) => pattern.test(s));

describe('a command loads only what it needs', () => {
  it('--help loads the command table, not the engine', () => {
    const { status, sources } = sourcesLoadedBy(['--help']);
    expect(status).toBe(0);
    expect(sources).toContain('electron/cli/commands.ts');
    expect(matching(sources, /^electron\/core\/(engine|contextStore|recordSet)\.ts$/)).toEqual([]);
  });

  it('chart list loads the engine and the summaries: no chart edits, backups, MCP server, zod or lock', () => {
    const data = path.join(tempDir(), '.coaia');
    expect(runCli(['chart', 'create', '--data', data, '--outcome', 'Ship it', '--reality', 'Not yet', '--step', 'Write it']).status).toBe(0);
    const { status, sources } = sourcesLoadedBy(['chart', 'list', '--data', data]);
    expect(status).toBe(0);
    expect(sources).toContain('electron/core/engine.ts');
    expect(sources).toContain('electron/core/charts/chartSummaries.ts');
    expect(matching(sources, /^electron\/core\/(charts\/(chartService|chartEdits|chartChangeSet|chartCompletion)|knowledgeGraph|history|backupRestore|recentlyDeleted|verify|recover)\.ts$|^electron\/mcp\/|^node_modules\/(zod|@modelcontextprotocol|proper-lockfile|graceful-fs)\//)).toEqual([]);
  });

  it('a command that writes still takes the lock (loaded when it is first taken)', () => {
    const data = path.join(tempDir(), '.coaia');
    const { status, sources } = sourcesLoadedBy(['entity', 'set', '--data', data, '--name', 'note_1', '--type', 'note', '--obs', 'hello']);
    expect(status).toBe(0);
    expect(matching(sources, /^node_modules\/proper-lockfile\//).length).toBeGreaterThan(0);
  });

  it('the help names the same default for `deleted` as the engine uses', () => {
    expect(HELP_DELETED_DAYS).toBe(DEFAULT_DELETED_DAYS);
    expect(runCli(['--help']).stdout).toContain(`(default ${DEFAULT_DELETED_DAYS})`);
  });
});
