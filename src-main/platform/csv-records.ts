/**
 * CSV records from lines, one line at a time, in bounded memory: RFC 4180 fields (quoted fields
 * may hold commas, doubled quotes and line breaks), a quote in an unquoted field or after a closing
 * quote refused for that record, and a quote that is never closed reported by the line it opened
 * on, after which reading resumes on the next line. csv-parse reads a whole text (or swallows the
 * rest of a stream at an unclosed quote); this resumes, which is why it is written here. Lines
 * keep their terminator's '\r', so a quoted line break is kept as written (as csv-parse does).
 */

export type CsvEvent = { kind: 'record'; line: number; fields: string[] } | { kind: 'broken'; line: number; reason: string };

/** a quoted field may run over this many lines at most before it counts as never closed */
const MAX_RECORD_LINES = 100;
const MAX_RECORD_CHARS = 1 << 20;

type Parse = { done: true; fields: string[] } | { done: false } | { error: string };

/** parses one record from the text of its lines joined by '\n' */
function parseRecord(text: string): Parse {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text[i] === '"') {
      // quoted field
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return { done: false };
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && text[i] !== ',' && !(text[i] === '\r' && i === n - 1)) return { error: 'a quote must be followed by a comma or the end of the line' };
    } else {
      let j = i;
      while (j < n && text[j] !== ',') {
        if (text[j] === '"') return { error: 'a quote inside an unquoted field' };
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    if (i < n && text[i] === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    fields.push(field.endsWith('\r') && i >= n ? field.slice(0, -1) : field);
    return { done: true, fields };
  }
}

/** feeds lines (each with its '\r' if it had one, without '\n') and gets records and problems back */
export class CsvRecords {
  private pending: { line: number; text: string }[] = [];
  private chars = 0;

  /** one line; returns the events it completes (several when a broken record is re-read) */
  push(lineNo: number, text: string): CsvEvent[] {
    if (this.pending.length === 0 && (text === '' || text === '\r')) return []; // empty lines are skipped
    this.pending.push({ line: lineNo, text });
    this.chars += text.length;
    return this.drain(false);
  }

  /** the end of the input: what is still open is an unclosed quote */
  end(): CsvEvent[] {
    return this.drain(true);
  }

  private drain(atEnd: boolean): CsvEvent[] {
    const out: CsvEvent[] = [];
    while (this.pending.length) {
      const r = parseRecord(this.pending.map((p) => p.text).join('\n'));
      const first = this.pending[0].line;
      if ('error' in r && this.pending.length === 1) {
        // the record ends on this line whatever follows: refuse it, go on after it
        out.push({ kind: 'broken', line: first, reason: `broken quoting: ${r.error}` });
        this.reset([]);
        continue;
      }
      if ('error' in r) {
        // a quote opened on the first line took the next lines in and then broke: the first line
        // is the broken one, the lines after it are read again as records of their own
        out.push(...this.rereadAfterFirst(first));
        continue;
      }
      if (r.done) {
        out.push({ kind: 'record', line: first, fields: r.fields });
        this.reset([]);
        continue;
      }
      if (!atEnd && this.pending.length < MAX_RECORD_LINES && this.chars < MAX_RECORD_CHARS) break;
      // never closed (or too long to be a message): report it, re-read from the line after it
      out.push(...this.rereadAfterFirst(first));
      if (!atEnd) break;
    }
    return out;
  }

  /** reports the first pending line as an unclosed quote and feeds the others again */
  private rereadAfterFirst(first: number): CsvEvent[] {
    const out: CsvEvent[] = [{ kind: 'broken', line: first, reason: 'broken quoting: a quoted field is never closed' }];
    const rest = this.pending.slice(1);
    this.reset([]);
    for (const p of rest) {
      if (this.pending.length === 0 && (p.text === '' || p.text === '\r')) continue;
      this.pending.push(p);
      this.chars += p.text.length;
      out.push(...this.drain(false));
    }
    return out;
  }

  private reset(next: { line: number; text: string }[]): void {
    this.pending = next;
    this.chars = 0;
  }
}
