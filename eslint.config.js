// Lint rules that keep code where it may run (Signal Desktop's habit):
// - electron/ (but main.ts and preload.ts) never imports 'electron': requiring the electron
//   package downloads a binary, which is wrong for the CLI and impossible on CI machines;
// - renderer/ is browser code: no node:* and no electron;
// - shared/ is pure TypeScript used by both sides: neither.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noElectron = { name: 'electron', message: 'Only electron/main.ts and electron/preload.ts may import electron.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'Browser/shared code cannot use Node built-ins.' }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'renderer/dist/**', 'out/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['electron/**/*.ts', 'test/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: ['electron/*'] }] },
  },
  {
    // The placeholder page app://tension/ serves until the renderer is built: a browser script.
    files: ['build/placeholder/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'shared/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: ['node:*'] }] },
  },
);
