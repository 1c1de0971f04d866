/**
 * Drops `"managedFields": [...]` from AdmissionReview JSON text before it is parsed. The API server sends
 * the creator's managedFields with every pod — about half of a GitLab job's review — and the webhook never
 * reads or patches them; skipping them before JSON.parse halves the parse, the largest cost per request.
 *
 * Only a key can be preceded by `{` or `,` (inside a JSON string a quote is escaped), so a match there is
 * a real `managedFields` key; its array value is skipped with a scanner that honours strings and escapes.
 * Anything unexpected leaves the text as it is. The result never differs from the input but for removed
 * managedFields arrays, which no patch path touches; a caller that fails to parse the result parses the
 * original for the error message.
 */
const KEY = '"managedFields"';

export function stripManagedFields(text: string): string {
  let from = 0;
  let out = "";
  let copiedUpTo = 0;
  for (let at = text.indexOf(KEY, from); at !== -1; at = text.indexOf(KEY, from)) {
    from = at + KEY.length;
    const before = skipSpaceBack(text, at - 1);
    const opener = text[before];
    if (opener !== "," && opener !== "{") continue;
    const colon = skipSpace(text, at + KEY.length);
    if (text[colon] !== ":") continue;
    const valueStart = skipSpace(text, colon + 1);
    if (text[valueStart] !== "[") continue;
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === -1) return text;
    // `,"managedFields":[…]` drops the comma before it; `{"managedFields":[…],` the comma after it.
    let cutStart = opener === "," ? before : at;
    let cutEnd = valueEnd;
    if (opener === "{") {
      const next = skipSpace(text, valueEnd);
      if (text[next] === ",") cutEnd = next + 1;
      else if (text[next] !== "}") continue;
    }
    if (cutStart < copiedUpTo) cutStart = copiedUpTo;
    out += text.slice(copiedUpTo, cutStart);
    copiedUpTo = cutEnd;
    from = cutEnd;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** Index just past the array or object that starts at `start`, or -1 if it does not close. */
function skipValue(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote, stepping over escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
      if (i >= text.length) return -1;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function skipSpaceBack(text: string, i: number): number {
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
