// Numbers another program wrote, kept as it wrote them when we change its record. A change
// parses the record's line, edits a field or two, and writes the object again; JSON.parse reads
// every number as a double, so a field we never touched came back changed: an id beyond 2^53
// (1234567890123456789 as 1234567890123456800), a decimal with more digits than a double keeps
// (0.1000000000000000055511151231257827 as 0.1), and 1.50 as 1.5 (found by review). The peers'
// fields are theirs (FORMAT.md: kept), so where a record is changed, its numbers that would not
// be written back as they were are read as stand-ins (strings no line holds) and written back
// as their own text. Only the edits use this: a reader (the window, an MCP answer) gets numbers.
/** Marks a stand-in: a private-use character JSON.stringify writes as it is, and a per-process token no line holds. */
const MARK = '\uE000';
// Not node:crypto: a reading command does not load it (build/cliBundle.mjs); no secret is at stake.
const PREFIX = `${MARK}exact-number:${Math.random().toString(36).slice(2, 12)}:`;
/** The stand-ins made in this process, with the number's text, and the other way: few (changes to records holding such numbers). */
const texts = new Map<string, string>();
const names = new Map<string, string>();

// A string (skipped whole, with its escapes) or a number, as they come in a valid JSON line.
const TOKEN = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The number's text when JSON.stringify would not write it back the same: its stand-in's name, else undefined. */
function standInFor(text: string): string | undefined {
  if (JSON.stringify(Number(text)) === text) return undefined;
  let name = names.get(text);
  if (name === undefined) {
    name = `${PREFIX}${texts.size}${MARK}`;
    texts.set(name, text);
    names.set(text, name);
  }
  return name;
}

/**
 * A record's line as an object to change: JSON.parse's, except that a number JSON.stringify would
 * not write back as it stands in the line is a stand-in string (writeExact puts it back).
 */
export function parseExact(raw: string): Record<string, unknown> {
  let exact = false;
  const text = raw.replace(TOKEN, (token) => {
    if (token.charCodeAt(0) === 34) return token; // a string
    const name = standInFor(token);
    if (name === undefined) return token;
    exact = true;
    return JSON.stringify(name);
  });
  return JSON.parse(exact ? text : raw) as Record<string, unknown>;
}

/** JSON.stringify, with every stand-in parseExact made written back as the number it stood for. */
export function stringifyExact(value: unknown): string {
  const json = JSON.stringify(value);
  if (!json.includes(PREFIX)) return json;
  return json.replace(new RegExp(`"${escapeForPattern(PREFIX)}\\d+${MARK}"`, 'g'), (quoted) => texts.get(quoted.slice(1, -1)) ?? quoted);
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
