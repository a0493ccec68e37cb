// `npm run tension -- …`: the bundled command (out/cli/tension.mjs), rebuilt first if a source
// is newer (a checkout being worked on), so it never runs yesterday's code. `node
// out/cli/tension.mjs …` (or `tension …` after `npm link`) skips the look and npm's own start-up.
import { bundleCli, cliBundleIsStale, cliEntry } from './cliBundle.mjs';
import { pathToFileURL } from 'node:url';

if (cliBundleIsStale()) await bundleCli();
await import(pathToFileURL(cliEntry).href);
