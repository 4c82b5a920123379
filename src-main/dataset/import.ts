/**
 * Reading labelled messages from the formats people have: the seed's CSV (`sms_id,text,label`),
 * the UCI SMS Spam Collection (`label<TAB>text`, no header) and the UCI YouTube Spam Collection
 * CSV (`COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`). Bad rows are reported by line and skipped; the
 * good rows are kept.
 */
import { parse } from 'csv-parse/sync';
import type { LabelledMessage } from '../storage';

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

export function detectFormat(text: string): DatasetFormat {
  const first = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    .trim()
    .toLowerCase();
  if (first.replace(/\s/g, '') === 'sms_id,text,label') return 'seed-csv';
  if (first.startsWith('comment_id,')) return 'uci-youtube-csv';
  if (/^(ham|spam)\t/.test(first)) return 'uci-sms-tsv';
  throw new Error(
    'cannot tell the file format from its first line; expected a header "sms_id,text,label" (seed CSV), "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS" (UCI YouTube) or a "ham<TAB>text" line (UCI SMS); use --format',
  );
}

function normaliseLabel(raw: string | undefined): { label?: string; problem?: string } {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return { problem: 'missing label' };
  if (v === 'spam' || v === 'ham') return { label: v };
  return { problem: `unknown label "${raw}" (expected spam or ham)` };
}

export function parseDataset(text: string, origin: string, format: DatasetFormat = detectFormat(text), idStart = 10001): ParsedDataset {
  const body = text.replace(/^\uFEFF/, '');
  const rows: LabelledMessage[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  const add = (line: number, sms_id: string, msgText: string | undefined, rawLabel: string | undefined) => {
    const { label, problem } = normaliseLabel(rawLabel);
    if (!sms_id.trim()) problems.push({ line, reason: 'missing sms_id' });
    else if (problem) problems.push({ line, reason: problem });
    else if (!msgText?.trim()) problems.push({ line, reason: 'empty text' });
    else if (seen.has(sms_id)) problems.push({ line, reason: `duplicate sms_id "${sms_id}" (first on line ${seen.get(sms_id)})` });
    else {
      seen.set(sms_id, line);
      rows.push({ sms_id: sms_id.trim(), text: msgText, label: label!, origin: `${origin} (${format})` });
    }
  };

  if (format === 'uci-sms-tsv') {
    const lines = body.split(/\r?\n/);
    lines.forEach((l, i) => {
      if (l === '' && i === lines.length - 1) return;
      const tab = l.indexOf('\t');
      if (tab < 0) problems.push({ line: i + 1, reason: 'no tab between label and text' });
      else add(i + 1, `sms${idStart + i}`, l.slice(tab + 1), l.slice(0, tab));
    });
    return { format, rows, problems };
  }

  const records = parseCsvRecovering(body, problems);
  const [header, ...data] = records;
  const byLine = () => problems.sort((a, b) => a.line - b.line);
  if (!header) return { format, rows, problems: byLine() };
  const cols = header.record.map((c) => c.trim().toLowerCase());
  const need = format === 'seed-csv' ? ['sms_id', 'text', 'label'] : ['comment_id', 'content', 'class'];
  for (const c of need) if (!cols.includes(c)) throw new Error(`the header lacks column "${c}"; expected ${need.join(', ')}`);
  const at = (r: string[], c: string) => r[cols.indexOf(c)];
  for (const { record, info } of data) {
    if (record.length !== cols.length) {
      problems.push({ line: info.lines, reason: `expected ${cols.length} fields, got ${record.length}` });
      continue;
    }
    if (format === 'seed-csv') add(info.lines, at(record, 'sms_id') ?? '', at(record, 'text'), at(record, 'label'));
    else {
      const cls = (at(record, 'class') ?? '').trim();
      const label = cls === '1' ? 'spam' : cls === '0' ? 'ham' : cls;
      add(info.lines, `yt_${(at(record, 'comment_id') ?? '').trim()}`, at(record, 'content'), label);
    }
  }
  return { format, rows, problems: byLine() };
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/**
 * csv-parse over the whole text; a quote that is never closed would swallow the rest of the
 * file, so the broken record is reported by its first line and parsing resumes on the line after.
 */
function parseCsvRecovering(body: string, problems: RowProblem[]): CsvRecord[] {
  const out: CsvRecord[] = [];
  let offsetLines = 0;
  let text = body;
  for (;;) {
    let unclosed = false;
    const records = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: { code?: string; lines?: number; message: string } | undefined) => {
        if (!err) return;
        if (err.code === 'CSV_QUOTE_NOT_CLOSED') unclosed = true;
        else problems.push({ line: offsetLines + (err.lines ?? 0), reason: `broken quoting: ${err.message.replace(/ at line \d+.*$/, '')}` });
      },
    }) as unknown as CsvRecord[];
    for (const r of records) out.push({ record: r.record, info: { lines: offsetLines + r.info.lines } });
    if (!unclosed) return out;
    const lastGood = records.length ? records[records.length - 1].info.lines : 0;
    const brokenLine = offsetLines + lastGood + 1;
    problems.push({ line: brokenLine, reason: 'broken quoting: a quoted field is never closed' });
    const lines = text.split('\n');
    // resume after the broken line; the header stays the first record already taken
    text = lines.slice(lastGood + 1).join('\n');
    offsetLines = brokenLine;
    if (!text.trim()) return out;
  }
}
