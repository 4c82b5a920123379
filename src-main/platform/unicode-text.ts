/**
 * Text that is not valid Unicode, found and named by field: bytes that are not UTF-8 (0xff 0xfe)
 * and strings with a lone UTF-16 surrogate ("\ud800" in JSON). Read leniently, the first became
 * U+FFFD and the second invalid UTF-8 in the store: either way the text read back was not the one
 * sent. The API's bodies and the stream's payloads are checked by these same functions.
 */

const strict = new TextDecoder('utf-8', { fatal: true });

/** the text of UTF-8 bytes, or undefined when they are not UTF-8 */
export function strictUtf8(data: Uint8Array): string | undefined {
  try {
    return strict.decode(data);
  } catch {
    return undefined;
  }
}

/**
 * Where JSON bytes stop being UTF-8: the field whose string holds the bad bytes (undefined when
 * no field can be named), and what is wrong. Undefined when they are UTF-8.
 */
export function utf8Problem(data: Uint8Array): { field: string | undefined; detail: string } | undefined {
  if (strictUtf8(data) !== undefined) return undefined;
  const at = firstInvalidByte(data);
  const bytes = Array.from(data.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const detail = `is not UTF-8 text (bytes ${bytes} at byte ${at}): send the text as UTF-8`;
  let value: unknown;
  try {
    // one character per byte: JSON's own syntax is ASCII, so the structure reads and each string keeps its bytes
    value = JSON.parse(Buffer.from(data).toString('latin1'));
  } catch {
    return { field: undefined, detail };
  }
  return { field: firstPath(value, (s) => strictUtf8(Buffer.from(s, 'latin1')) === undefined), detail };
}

/** the path (sms_text, a.b, list[2], `k (a key)`) of the first string or key with a lone UTF-16 surrogate */
function loneSurrogatePath(value: unknown): string | undefined {
  return firstPath(value, (s) => !s.isWellFormed());
}

/**
 * loneSurrogatePath of the value JSON.parse made of `json` (text decoded as strict UTF-8, which
 * cannot hold a surrogate): only a \u escape can make one, so text without any is not walked (the
 * walk builds a path for every field: a change envelope of 256 messages cost 1.5 KB of garbage
 * a message).
 */
export function jsonLoneSurrogatePath(json: string, value: unknown): string | undefined {
  return json.includes('\\u') ? loneSurrogatePath(value) : undefined;
}

/** the offset of the first byte past the longest prefix that is UTF-8 (a sequence cut at the end counts as UTF-8) */
function firstInvalidByte(data: Uint8Array): number {
  const validPrefix = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = data.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (validPrefix(mid)) lo = mid;
    else hi = mid - 1;
  }
  // a prefix ending in a sequence begun but not finished (c3 of c3 28): the bad bytes start at its
  // lead byte, not past it (the error named "28 ..." for "c3 28")
  if (lo < data.length) {
    let k = lo;
    while (k > 0 && (data[k - 1] & 0xc0) === 0x80) k--;
    const lead = k > 0 ? data[k - 1] : 0;
    const needs = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (lead >= 0xc0 && lo - (k - 1) < needs) return k - 1;
  }
  return lo;
}

function firstPath(value: unknown, bad: (s: string) => boolean, path = ''): string | undefined {
  if (typeof value === 'string') return bad(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = firstPath(v, bad, `${path}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const key = path ? `${path}.${k}` : k;
      if (bad(k)) return `${key} (a key)`;
      const p = firstPath(v, bad, key);
      if (p !== undefined) return p;
    }
  return undefined;
}
