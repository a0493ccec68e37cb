// Whether a text has anything a person can see. `trim()` removes white space only: a title made
// of zero-width spaces (U+200B), joiners or a byte-order mark passes it and shows as nothing,
// so such a text is refused like an empty one, by the contract and by the engine alike.
// Pure TypeScript: used by main (validation), the engine and the renderer.

/** White space, format characters (zero-width space and joiners, BOM, soft hyphen) and the blank fillers. */
const INVISIBLE = /[\p{White_Space}\p{Cf}\u034f\u115f\u1160\u2800\u3164\uffa0]/gu;

export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '') !== '';
}
