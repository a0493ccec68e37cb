// Damaged bytes shown as text a person can read and a terminal or a web page can show safely:
// valid UTF-8 as it is, control characters as \u escapes, bytes that are not UTF-8 as \xHH.
// Tabs stay visible as \t; a line break inside the bytes as \n (a damaged line is one line).

/** The bytes as printable text, cut at about `limit` characters (`truncated` says so). */
export function escapeBytes(bytes: Uint8Array, limit = 4_000): { text: string; truncated: boolean } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = '';
  let i = 0;
  while (i < buffer.length && text.length < limit) {
    const length = sequenceLength(buffer, i);
    if (length === 0) {
      text += `\\x${(buffer[i] as number).toString(16).padStart(2, '0')}`;
      i += 1;
      continue;
    }
    const char = buffer.toString('utf8', i, i + length);
    const code = char.codePointAt(0) as number;
    if (char === '\n') text += '\\n';
    else if (char === '\t') text += '\\t';
    else if (char === '\r') text += '\\r';
    else if (char === '\\') text += '\\\\';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029) text += `\\u${code.toString(16).padStart(4, '0')}`;
    else text += char;
    i += length;
  }
  return { text, truncated: i < buffer.length };
}

/** The length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Buffer, i: number): number {
  const first = bytes[i] as number;
  if (first < 0x80) return 1;
  const length = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k += 1) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return 0;
  const second = bytes[i + 1] as number;
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  if (first === 0xe0 && second < 0xa0) return 0;
  if (first === 0xed && second >= 0xa0) return 0;
  if (first === 0xf0 && second < 0x90) return 0;
  if (first === 0xf4 && second >= 0x90) return 0;
  return length;
}
