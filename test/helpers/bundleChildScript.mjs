// Bundles one TypeScript test script into one ES module (test/helpers/childScripts.ts runs it
// in a process of its own, synchronously, the first time a test run starts the script: esbuild
// takes plugins only in its asynchronous build). Plain JavaScript: Node runs it without tsx.
//   node test/helpers/bundleChildScript.mjs <script.ts> <bundle.mjs>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [script, outfile] = process.argv.slice(2);
if (!script || !outfile) {
  console.error('usage: node test/helpers/bundleChildScript.mjs <script.ts> <bundle.mjs>');
  process.exit(2);
}

/**
 * Each module's import.meta.url stays its own source file's: a script finds its fixtures and
 * the checkout from where it lies (test/helpers/runCli.ts's repoRoot), not from the bundle's place.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const source = fs.readFileSync(args.path, 'utf8');
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

// Written beside, then renamed into place: workers of one run may build the same script at once.
const building = `${outfile}.${process.pid}`;
await build({
  entryPoints: [script],
  outfile: building,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages load from node_modules as they are: the bundles lie inside the checkout, so they resolve.
  packages: 'external',
  // No source map: reading one with --enable-source-maps cost each child 80 ms (of 210). The
  // bundle keeps the code as written, under a comment naming each source file; for a trace with
  // source lines, run the tests with TENSION_TEST_CHILDREN=tsx (test/helpers/childScripts.ts).
  logLevel: 'error',
  plugins: [ownImportMetaUrl],
});
fs.renameSync(building, outfile);
