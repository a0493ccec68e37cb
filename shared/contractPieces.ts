// Pieces every part of the IPC contract uses (contract.ts and the contract files of each
// concern, such as contractBackups.ts): the channel declaration and the context name. Apart
// from contract.ts so that a concern's file can use them without importing contract.ts, which
// spreads that file's channels into its own table.
import { z } from 'zod';

/** A channel: its input schema, and (as a type only) what it returns. */
export const channel =
  <O>() =>
  <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });

const CONTEXT_NAME = /^[A-Za-z0-9_.-]+$/;

export const contextName = z
  .string()
  .min(1)
  .max(100)
  .regex(CONTEXT_NAME, 'letters, digits, "_", "-" and "." only')
  .refine((name) => !name.includes('..') && name !== '.', 'no ".."');
