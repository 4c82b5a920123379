/**
 * Reading labelled messages from the formats people have: the seed's CSV (`sms_id,text,label`),
 * the UCI SMS Spam Collection (`label<TAB>text`, no header) and the UCI YouTube Spam Collection
 * CSV (`COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`). Bad rows are reported by line and skipped; the
 * good rows are kept. One line at a time (DatasetReader), so a file of millions of messages is
 * read in bounded memory (readDatasetFile); parseDataset reads a text already in memory.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { LabelledMessage } from '../storage';
import { CsvRecords, type CsvEvent } from '../platform';
import { SMS_ID_MAX_LENGTH } from '../../src-shared/ids';

export type DatasetFormat = 'seed-csv' | 'uci-sms-tsv' | 'uci-youtube-csv';
export const DATASET_FORMATS: DatasetFormat[] = ['seed-csv', 'uci-sms-tsv', 'uci-youtube-csv'];

export interface RowProblem {
  line: number;
  reason: string;
}

export interface ParsedDataset {
  format: DatasetFormat;
  rows: LabelledMessage[];
  problems: RowProblem[];
}

export function formatOfFirstLine(line: string): DatasetFormat | undefined {
  const first = line
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
  // a header written with every field quoted (R's write.csv, pandas with QUOTE_ALL) is the same header
  const header = first.replace(/"/g, '').replace(/\s/g, '');
  if (header === 'sms_id,text,label') return 'seed-csv';
  if (header.startsWith('comment_id,')) return 'uci-youtube-csv';
  if (/^(ham|spam)\t/.test(first)) return 'uci-sms-tsv';
  return undefined;
}

export function detectFormat(text: string): DatasetFormat {
  const format = formatOfFirstLine(text.split(/\r?\n/, 1)[0]);
  if (!format)
    throw new Error(
      'cannot tell the file format from its first line; expected a header "sms_id,text,label" (seed CSV), "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS" (UCI YouTube) or a "ham<TAB>text" line (UCI SMS); use --format',
    );
  return format;
}

function normaliseLabel(raw: string | undefined): { label?: string; problem?: string } {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return { problem: 'missing label' };
  if (v === 'spam' || v === 'ham') return { label: v };
  return { problem: `unknown label "${raw}" (expected spam or ham)` };
}

export interface ReaderOptions {
  origin: string;
  format: DatasetFormat;
  /** the number of the first UCI SMS line's id (`sms10001`) */
  idStart?: number;
  /** YouTube comments: ids `yt_<COMMENT_ID>` (default) or `sms<n>` numbered from idStart in file order */
  youtubeIds?: 'comment' | 'sequential';
}

/** in-file duplicates are reported by line for this many ids; past it the store rejects them */
const MAX_TRACKED_IDS = 2_000_000;

/** a dataset file read line by line: `push` each line (without '\n', with its '\r'), `end` once */
export class DatasetReader {
  readonly rows: LabelledMessage[] = [];
  readonly problems: RowProblem[] = [];
  private readonly seen = new Map<string, number>();
  private readonly csv = new CsvRecords();
  private cols: string[] | undefined;
  private next: number;

  constructor(private readonly o: ReaderOptions) {
    this.next = o.idStart ?? 10001;
  }

  /** the number the next sequentially numbered row would get (each data row takes one, bad ones too) */
  get nextId(): number {
    return this.next;
  }

  /** takes what was read so far (a batch), leaving the reader empty */
  take(): { rows: LabelledMessage[]; problems: RowProblem[] } {
    return { rows: this.rows.splice(0), problems: this.problems.splice(0) };
  }

  push(lineNo: number, text: string): void {
    if (this.o.format === 'uci-sms-tsv') {
      const line = lineNo === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (line === '' || line === '\r') return;
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      const tab = body.indexOf('\t');
      // ids follow the file's line numbers, as the seed's CSV numbered the collection
      const id = `sms${(this.o.idStart ?? 10001) + lineNo - 1}`;
      if (tab < 0) this.problems.push({ line: lineNo, reason: 'no tab between label and text' });
      else this.add(lineNo, id, body.slice(tab + 1), body.slice(0, tab));
      return;
    }
    for (const e of this.csv.push(lineNo, lineNo === 1 ? text.replace(/^\uFEFF/, '') : text)) this.onCsv(e);
  }

  end(): void {
    if (this.o.format !== 'uci-sms-tsv') for (const e of this.csv.end()) this.onCsv(e);
    this.seen.clear();
  }

  private onCsv(e: CsvEvent): void {
    if (e.kind === 'broken') {
      this.problems.push({ line: e.line, reason: e.reason });
      return;
    }
    if (!this.cols) {
      this.cols = e.fields.map((c) => c.trim().toLowerCase());
      const need = this.o.format === 'seed-csv' ? ['sms_id', 'text', 'label'] : ['comment_id', 'content', 'class'];
      for (const c of need) if (!this.cols.includes(c)) throw new Error(`the header lacks column "${c}"; expected ${need.join(', ')}`);
      return;
    }
    const cols = this.cols;
    const r = e.fields;
    if (r.length !== cols.length) {
      this.problems.push({ line: e.line, reason: `expected ${cols.length} fields, got ${r.length}` });
      return;
    }
    const at = (c: string) => r[cols.indexOf(c)];
    if (this.o.format === 'seed-csv') this.add(e.line, at('sms_id') ?? '', at('text'), at('label'));
    else {
      const cls = (at('class') ?? '').trim();
      const label = cls === '1' ? 'spam' : cls === '0' ? 'ham' : cls;
      const id = this.o.youtubeIds === 'sequential' ? `sms${this.next++}` : `yt_${(at('comment_id') ?? '').trim()}`;
      this.add(e.line, id, at('content'), label);
    }
  }

  private add(line: number, smsId: string, text: string | undefined, rawLabel: string | undefined): void {
    const { label, problem } = normaliseLabel(rawLabel);
    const id = smsId.trim();
    if (!id) this.problems.push({ line, reason: 'missing sms_id' });
    // a longer id would be stored but could never be looked up (every route takes ids up to this length)
    else if (id.length > SMS_ID_MAX_LENGTH)
      this.problems.push({ line, reason: `sms_id has ${id.length.toLocaleString('en')} characters; at most ${SMS_ID_MAX_LENGTH} are accepted` });
    else if (problem) this.problems.push({ line, reason: problem });
    else if (!text?.trim()) this.problems.push({ line, reason: 'empty text' });
    else if (this.seen.has(id)) this.problems.push({ line, reason: `duplicate sms_id "${id}" (first on line ${this.seen.get(id)})` });
    else {
      if (this.seen.size < MAX_TRACKED_IDS) this.seen.set(id, line);
      this.rows.push({ sms_id: id, text, label: label!, origin: `${this.o.origin} (${this.o.format})` });
    }
  }
}

/** lines of a text, each with its '\r' kept (a quoted line break stays as written) */
function* linesOf(text: string): Generator<string> {
  let i = 0;
  for (;;) {
    const j = text.indexOf('\n', i);
    if (j < 0) {
      if (i < text.length) yield text.slice(i);
      return;
    }
    yield text.slice(i, j);
    i = j + 1;
  }
}

/** a dataset already in memory (small files, tests) */
export function parseDataset(
  text: string,
  origin: string,
  format: DatasetFormat = detectFormat(text),
  idStart = 10001,
  youtubeIds: 'comment' | 'sequential' = 'comment',
): ParsedDataset {
  const r = new DatasetReader({ origin, format, idStart, youtubeIds });
  let n = 0;
  for (const line of linesOf(text)) r.push(++n, line);
  r.end();
  return { format, rows: r.rows, problems: r.problems.sort((a, b) => a.line - b.line) };
}

export interface DatasetBatch {
  format: DatasetFormat;
  rows: LabelledMessage[];
  problems: RowProblem[];
  /** bytes of the file read so far (for progress) */
  bytesRead: number;
  /** the next sequential id number (YouTube comments numbered in file order) */
  nextId: number;
}

/**
 * A dataset file in batches of about `batchSize` rows, read as a stream: memory stays bounded
 * whatever the file's size (a 10-million-message file does not fit in one JavaScript string).
 */
export function readDatasetFile(
  path: string,
  o: Omit<ReaderOptions, 'format'> & { format?: DatasetFormat; batchSize?: number; name?: string },
): AsyncGenerator<DatasetBatch> {
  return readDataset(createReadStream(path, { highWaterMark: 1 << 20 }), o.name ?? path, o);
}

/**
 * What a file holds, from its first 64 KB: a zip archive, UTF-16 text (which we do not read), or a
 * dataset whose first line tells its format; undefined when none of these.
 */
export function sniffDataset(path: string): { kind: 'archive' } | { kind: 'utf16' } | { kind: 'file'; format: DatasetFormat } | undefined {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return { kind: 'archive' }; // "PK\3\4"
  if (n >= 2 && isUtf16Bom(head)) return { kind: 'utf16' };
  const format = formatOfFirstLine(
    head
      .subarray(0, n)
      .toString('utf8')
      .split(/\r\n|\n|\r/, 1)[0],
  );
  return format ? { kind: 'file', format } : undefined;
}

function isUtf16Bom(b: Buffer): boolean {
  return b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));
}

/** the longest line a dataset may have (the longest line of the public dataset has 1,231 characters) */
export const MAX_LINE_CHARS = 1 << 20;

/** a file that cannot be read as a dataset at all (empty, or not made of lines of messages) */
export class DatasetFileError extends Error {}

/** the same over any byte stream (a file, an entry of a zip archive, an upload) */
export async function* readDataset(
  stream: AsyncIterable<Buffer | string>,
  name: string,
  o: Omit<ReaderOptions, 'format'> & { format?: DatasetFormat; batchSize?: number },
): AsyncGenerator<DatasetBatch> {
  const batchSize = o.batchSize ?? 20_000;
  // UTF-8 only, checked: a Latin-1 '£' silently read as U+FFFD would change the message
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const decode = (buf?: Buffer) => {
    try {
      return buf ? utf8.decode(buf, { stream: true }) : utf8.decode();
    } catch {
      const utf16 = buf !== undefined && bytesRead === buf.length && isUtf16Bom(buf); // a BOM opens the file
      const lenient = buf?.toString('utf8') ?? '';
      const at = lenient.indexOf('\uFFFD');
      const line = lineNo + 1 + (at > 0 ? lenient.slice(0, at).split('\n').length - 1 : 0);
      throw new DatasetFileError(
        `${name} is not UTF-8 text (${utf16 ? 'it is UTF-16' : `line ${line} has a byte that is not UTF-8: Latin-1 or Windows-1252, perhaps`}): save it as UTF-8 (in a spreadsheet: "CSV UTF-8") and import it again`,
      );
    }
  };
  let reader: DatasetReader | undefined;
  let format = o.format;
  let carry = '';
  let scanned = 0; // carry[0, scanned) is known to hold no line break: each byte is searched once
  let lineNo = 0;
  let bytesRead = 0;
  const batch = () => ({ format: format!, ...reader!.take(), bytesRead, nextId: reader!.nextId });
  const tooLong = (line: number) =>
    new DatasetFileError(
      `${name}: line ${line} runs past ${MAX_LINE_CHARS.toLocaleString('en')} characters without a line break: not a dataset of messages (a message is at most a few thousand characters)`,
    );
  // a file with old Mac line endings (CR alone) has no '\n' at all: its CRs end its lines
  let crOnly: boolean | undefined;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytesRead += buf.length;
    let text = decode(buf);
    if (crOnly === undefined && (text.includes('\n') || /\r[\s\S]/.test(text))) crOnly = !text.includes('\n');
    if (crOnly) text = text.replaceAll('\r', '\n');
    carry += text;
    let start = 0;
    for (let j = carry.indexOf('\n', scanned); j >= 0; j = carry.indexOf('\n', start)) {
      // the same limit for a line whole in one chunk as for one spread over many
      if (j - start > MAX_LINE_CHARS) throw tooLong(lineNo + 1);
      const line = carry.slice(start, j);
      start = j + 1;
      if (!reader) {
        format ??= formatOfFirstLine(line) ?? detectFormat(line);
        reader = new DatasetReader({ ...o, format });
      }
      reader.push(++lineNo, line);
      if (reader.rows.length >= batchSize) yield batch();
    }
    carry = carry.slice(start);
    scanned = carry.length;
    // a message is a few KB at most: a line past the limit is not a dataset of messages (or is a
    // decompression bomb), and reading on would hold the whole of it in one string
    if (carry.length > MAX_LINE_CHARS) throw tooLong(lineNo + 1);
  }
  const rest = decode();
  carry += crOnly ? rest.replaceAll('\r', '\n') : rest;
  if (carry.length > MAX_LINE_CHARS) throw tooLong(lineNo + 1);
  if (carry !== '') {
    if (!reader) {
      format ??= detectFormat(carry);
      reader = new DatasetReader({ ...o, format });
    }
    reader.push(++lineNo, carry);
  }
  if (!reader) throw new DatasetFileError(`${name} is empty`);
  reader.end();
  yield batch();
}
