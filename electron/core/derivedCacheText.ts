// The text of a derived cache file (derivedCache.ts, savedFirstScreen.ts): a first line naming
// the format and what it was made for (`{"format":1,"tag":"…"}`), then the cache's own text.
// Pure, so that the app's main thread reads a cache without the engine's file-system layer.

/** The derived caches' file format: a cache of another is ignored. */
export const DERIVED_CACHE_FORMAT = 1;

/** The cache's text with the tag it was saved for; undefined when it has no first line or is of another format. */
export function splitDerivedText(text: string): { readonly tag: string; readonly text: string } | undefined {
  const end = text.indexOf('\n');
  if (end < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, end)) as { format?: unknown; tag?: unknown };
    return header.format === DERIVED_CACHE_FORMAT && typeof header.tag === 'string' ? { tag: header.tag, text: text.slice(end + 1) } : undefined;
  } catch {
    return undefined;
  }
}

/** A cache's text: the first line for `tag`, then `text`. */
export function joinDerivedText(tag: string, text: string): string {
  return `${JSON.stringify({ format: DERIVED_CACHE_FORMAT, tag })}\n${text}`;
}
