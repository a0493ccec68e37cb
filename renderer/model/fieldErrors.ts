// Errors in plain words at the field they concern: "Current reality: write at least one line",
// not "Invalid request for charts.create: reality: Too small: expected array to have >=1
// items". The same words come from checking a form before it is sent and from the contract's
// refusal (its issues name the field by path), so a person reads one language either way.
import type { IpcError } from '../../shared/contract.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';

/** Field name -> what is wrong with it, in plain words. */
export type FieldErrors = Readonly<Record<string, string>>;

const CONTEXT_NAME = /^[A-Za-z0-9_.-]+$/;

function plainProblem(field: string, item: number | undefined, message: string): string {
  const m = message.toLowerCase();
  if (field === 'context') return 'use letters, digits, “_”, “-” and “.” only, no spaces (for example work or home-2026)';
  if (m.includes('date')) return 'choose a real date, like 2026-12-31';
  if (m.includes('too big') || m.includes('too long') || m.includes('<=')) return m.includes('array') ? 'that is more lines than can be kept; split it up' : 'that is longer than can be kept; shorten it';
  if (field === 'reality') return item === undefined ? 'write at least one line' : `line ${item + 1} has nothing visible in it`;
  if (field === 'outcome') return 'write what you want to create';
  if (field === 'steps') return item === undefined ? 'check the steps' : `step ${item + 1} needs a title`;
  if (field === 'title') return 'write a title';
  if (field === 'text') return 'write something';
  return message;
}

/** The contract's refusal as plain words per field (and the rest under `form`). */
export function fieldErrorsOf(error: IpcError): FieldErrors {
  const errors: Record<string, string> = {};
  for (const issue of error.issues ?? []) {
    const [field = 'form', index] = issue.path.split('.');
    const item = index !== undefined && /^\d+$/.test(index) ? Number(index) : undefined;
    errors[field] ??= plainProblem(field, item, issue.message);
  }
  if (!error.issues?.length) {
    // The engine's own refusals name their field in words: a context name's goes to that field.
    if (/\bcontext\b/i.test(error.message) && error.code === 'BAD_INPUT') errors.context = error.message;
    else errors.form = error.message;
  }
  return errors;
}

export interface NewChartInput {
  readonly context: string;
  readonly outcome: string;
  readonly reality: readonly string[];
}

/** What a new chart's form lacks before it is sent; empty when it may go. */
export function checkNewChart(input: NewChartInput): FieldErrors {
  const errors: Record<string, string> = {};
  const context = input.context.trim();
  if (context === '') errors.context = 'name the context (for example work)';
  else if (!CONTEXT_NAME.test(context) || context.includes('..') || context.length > 100) errors.context = plainProblem('context', undefined, '');
  if (!hasVisibleText(input.outcome)) errors.outcome = plainProblem('outcome', undefined, '');
  if (!input.reality.some(hasVisibleText)) errors.reality = plainProblem('reality', undefined, '');
  return errors;
}

/** How each field is named on screen, to begin its message ("Current reality: write at least one line"). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  context: 'Context',
  outcome: 'Desired outcome',
  reality: 'Current reality',
  dueDate: 'Due date',
  steps: 'Action steps',
  title: 'Title',
  text: 'Text',
};

export function sentence(field: string, problem: string): string {
  const label = FIELD_LABELS[field];
  return label ? `${label}: ${problem}` : problem;
}
