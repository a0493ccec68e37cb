// Where the desktop app keeps its data: the same routing as the CLI (--data DIR >
// --memory-path FILE.jsonl > TENSION_DATA > MEMORY_FILE_PATH > COAIAN_MF > nearest .coaia/ >
// ~/.coaia), read from the app's command line. Electron's argv also carries Chromium switches
// and the app path, so unknown options and positionals are ignored here (unlike the CLI).
import { parseArgs } from 'node:util';
import { resolveLayout, type DataLayout } from '../core/dataRoot.ts';

export interface DataLocationInput {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home: string;
}

export function appDataLayout(input: DataLocationInput): DataLayout {
  const { values } = parseArgs({
    args: [...input.argv],
    options: { data: { type: 'string' }, 'memory-path': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  // An empty value (`--data=`) is passed on, to be refused: never a silent fall back to ~/.coaia.
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return resolveLayout({ data: text(values.data), memoryPath: text(values['memory-path']), env: input.env, cwd: input.cwd, home: input.home });
}
