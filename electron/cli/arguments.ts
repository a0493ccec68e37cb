// Command-line parsing for `tension`: global options anywhere, a command of one or two words,
// its own options. Unknown options are errors (a typo must not silently do something else).
import { parseArgs } from 'node:util';
import { EngineError } from '../core/errors.ts';

export const optionSpec = {
  data: { type: 'string' },
  'memory-path': { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  type: { type: 'string' },
  obs: { type: 'string', multiple: true },
  meta: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  all: { type: 'boolean' },
  reason: { type: 'string' },
  days: { type: 'string' },
  keep: { type: 'string' },
  op: { type: 'string' },
  'if-version': { type: 'string' },
  outcome: { type: 'string' },
  reality: { type: 'string', multiple: true },
  due: { type: 'string' },
  step: { type: 'string', multiple: true },
  title: { type: 'string' },
  text: { type: 'string' },
  old: { type: 'string' },
  now: { type: 'string' },
  'keep-daily': { type: 'string' },
  'keep-weekly': { type: 'string' },
  'keep-monthly': { type: 'string' },
  'dry-run': { type: 'boolean' },
  chart: { type: 'string' },
  'from-backup': { type: 'string' },
  'no-backup': { type: 'boolean' },
  leave: { type: 'boolean' },
  into: { type: 'string' },
  format: { type: 'string' },
  'on-collision': { type: 'string' },
} as const;

export type CliOptions = {
  data?: string;
  'memory-path'?: string;
  context?: string;
  json?: boolean;
  help?: boolean;
  name?: string;
  type?: string;
  obs?: string[];
  meta?: string;
  from?: string;
  to?: string;
  limit?: string;
  before?: string;
  all?: boolean;
  reason?: string;
  days?: string;
  keep?: string;
  op?: string;
  'if-version'?: string;
  outcome?: string;
  reality?: string[];
  due?: string;
  step?: string[];
  title?: string;
  text?: string;
  old?: string;
  now?: string;
  'keep-daily'?: string;
  'keep-weekly'?: string;
  'keep-monthly'?: string;
  'dry-run'?: boolean;
  chart?: string;
  'from-backup'?: string;
  'no-backup'?: boolean;
  leave?: boolean;
  into?: string;
  format?: string;
  'on-collision'?: string;
};

export interface ParsedCommandLine {
  readonly words: string[];
  readonly options: CliOptions;
}

export function parseCommandLine(argv: string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    // Node's whole message: for `--to -1` its later lines say how to give a value starting with a dash.
    throw new EngineError('BAD_INPUT', `${(error as Error).message.split('\n').join(' ')} (see 'tension --help')`);
  }
  refuseRepeatedOptions(parsed.tokens);
  return { words: parsed.positionals, options: parsed.values as CliOptions };
}

/**
 * An option that takes one value, given twice (`--data A --data B`), is refused: taking the
 * last one silently would write where the person may not have meant.
 */
function refuseRepeatedOptions(tokens: readonly { kind: string; name?: string; value?: string | undefined }[]): void {
  const seen = new Map<string, string | undefined>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    const spec = optionSpec[token.name as keyof typeof optionSpec] as { multiple?: boolean } | undefined;
    if (spec?.multiple) continue;
    if (seen.has(token.name)) {
      const values = [seen.get(token.name), token.value].filter((v) => v !== undefined).map((v) => JSON.stringify(v));
      throw new EngineError('BAD_INPUT', `--${token.name} was given more than once${values.length === 2 ? ` (${values.join(', then ')})` : ''}: give it once. Nothing was changed.`, {
        kept: 'Nothing was changed.',
      });
    }
    seen.set(token.name, token.value);
  }
}

export function requireOption(options: CliOptions, name: keyof CliOptions): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new EngineError('BAD_INPUT', `--${name} is required.`);
  return value;
}

export function parseJsonOption(text: string | undefined, what: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EngineError('BAD_INPUT', `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineError('BAD_INPUT', `${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

/** --limit N (default 200) and --before SEQ: which page of a history to show. */
export function historyPage(options: CliOptions): { limit: number; before?: number; more?: boolean } {
  const limit = parseCount(options.limit, '--limit', 200, 1);
  return { limit, ...(options.before === undefined ? {} : { before: parseCount(options.before, '--before', 0) }) };
}

/** `--now ISO-TIME` (the moment a schedule command acts at; default now). */
export function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new EngineError('BAD_INPUT', `--now must be a time such as 2026-03-09T08:30:00Z, got ${JSON.stringify(text.slice(0, 80))}.`);
  return new Date(time);
}

export function parseCount(text: string | undefined, what: string, fallback: number, least = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  // "A whole number" alone read wrong for -1, which is one.
  if (!Number.isInteger(value) || value < least || text.trim() === '') throw new EngineError('BAD_INPUT', `${what} must be a whole number of at least ${least}, got ${JSON.stringify(text)}.`);
  return value;
}
