// What `npm run dist` says when electron-builder fails: its own output stays above this (not
// hidden, not shortened); this adds one plain explanation of the usual cause on a machine
// without internet access (electron-builder downloads Electron and its packaging tools from
// GitHub) and what to do about it.

/** "getaddrinfo ENOTFOUND github.com", "connect ECONNREFUSED 140.82.1.1:443"… */
const NETWORK_ERROR = /(?:(?:getaddrinfo|connect|read) )?\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b(?: [^\s]+)?/;

export function explainPackagingFailure(output: string, exitCode: number): string {
  const head = `npm run dist: packaging failed (electron-builder exited with ${exitCode}). The bundles in out/ were built; only packaging failed.`;
  const network = NETWORK_ERROR.exec(output);
  if (!network) return `${head}\nSee electron-builder's message above.`;
  const usedLocalElectron = /using custom (unpacked Electron distribution|electronDist)/.test(output);
  const what = usedLocalElectron
    ? 'a packaging tool it needs for the target (AppImage and deb builds fetch appimagetool and fpm)'
    : 'the Electron binary to put in the package';
  const target = /(\w[\w.-]*\.(?:com|org|io|net))\b/.exec(network[0])?.[1];
  return [
    head,
    `Cause: electron-builder tried to download ${what}${target ? ` from ${target}` : ''} and could not reach it (${network[0]}).`,
    'A machine that reaches only the npm registry cannot package the app.',
    'To package: run `npm run dist` where the internet is reachable (downloads are cached in ~/.cache/electron and ~/.cache/electron-builder),',
    'or give it a local Electron: TENSION_ELECTRON_DIST=/path/to/unpacked/electron npm run dist (`-- --dir` then needs no other download).',
  ].join('\n');
}
