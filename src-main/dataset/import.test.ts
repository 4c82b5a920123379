import { describe, expect, it } from 'vitest';
import { fullDatasetPath } from '../testing/fixtures';
import { detectFormat, parseDataset } from './import';

describe('dataset import', () => {
  it('refuses an id longer than the one id limit (200), which could be stored but never looked up', () => {
    const long = 'x'.repeat(10_000);
    const r = parseDataset(`sms_id,text,label\n${long},hello,ham\n${'y'.repeat(200)},at the limit,spam\n`, 'x.csv');
    expect(r.rows.map((x) => x.sms_id.length)).toEqual([200]);
    expect(r.problems).toEqual([{ line: 2, reason: 'sms_id has 10,000 characters; at most 200 are accepted' }]);
  });

  it('reads the seed CSV with quoting and reports bad rows by line', () => {
    const csv = [
      'sms_id,text,label',
      'sms1,"Hello, you",ham',
      'sms2,,spam',
      'sms3,no label,',
      'sms4,what,maybe',
      'sms5,"a ""quoted"" word",SPAM',
      'sms6,"broken quote,spam',
      'sms7,still read after the broken row,ham',
      'sms1,again,ham',
    ].join('\n');
    const r = parseDataset(csv, 'x.csv');
    expect(r.format).toBe('seed-csv');
    expect(r.rows.map((x) => [x.sms_id, x.text, x.label])).toEqual([
      ['sms1', 'Hello, you', 'ham'],
      ['sms5', 'a "quoted" word', 'spam'],
      ['sms7', 'still read after the broken row', 'ham'],
    ]);
    expect(r.problems).toEqual([
      { line: 3, reason: 'empty text' },
      { line: 4, reason: 'missing label' },
      { line: 5, reason: 'unknown label "maybe" (expected spam or ham)' },
      { line: 7, reason: 'broken quoting: a quoted field is never closed' },
      { line: 9, reason: 'duplicate sms_id "sms1" (first on line 2)' },
    ]);
  });

  it('reads the UCI SMS Spam Collection TSV with seed-style ids', () => {
    const tsv = 'ham\tGo until jurong point\nspam\tFree entry in 2 a wkly comp\nbad line without tab\nspam\t\n';
    expect(detectFormat(tsv)).toBe('uci-sms-tsv');
    const r = parseDataset(tsv, 'SMSSpamCollection');
    expect(r.rows.map((x) => [x.sms_id, x.label])).toEqual([
      ['sms10001', 'ham'],
      ['sms10002', 'spam'],
    ]);
    expect(r.problems).toEqual([
      { line: 3, reason: 'no tab between label and text' },
      { line: 4, reason: 'empty text' },
    ]);
  });

  it('reads the UCI YouTube Spam Collection CSV', () => {
    const csv =
      'COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nz13a,Ann,2014-01-19T00:10:39,"Check out my channel <br />",1\nz13b,Bob,2014-01-19,Nice song,0\nz13c,Cy,2014-01-19,Odd,7\n';
    const r = parseDataset(csv, 'Youtube01.csv');
    expect(r.format).toBe('uci-youtube-csv');
    expect(r.rows.map((x) => [x.sms_id, x.label])).toEqual([
      ['yt_z13a', 'spam'],
      ['yt_z13b', 'ham'],
    ]);
    expect(r.problems).toEqual([{ line: 4, reason: 'unknown label "7" (expected spam or ham)' }]);
  });

  it('reads a header written with every field quoted (R, pandas with QUOTE_ALL)', () => {
    const csv = '"sms_id","text","label"\n"q1","Hello, there","ham"\n"q2","WIN now","spam"\n';
    expect(detectFormat(csv)).toBe('seed-csv');
    expect(parseDataset(csv, 'q.csv').rows.map((x) => [x.sms_id, x.text, x.label])).toEqual([
      ['q1', 'Hello, there', 'ham'],
      ['q2', 'WIN now', 'spam'],
    ]);
    expect(detectFormat('"COMMENT_ID","AUTHOR","DATE","CONTENT","CLASS"\n')).toBe('uci-youtube-csv');
  });

  it('says what it expected when the format is unknown', () => {
    expect(() => detectFormat('a;b;c\n')).toThrow(/sms_id,text,label/);
  });
});

describe('reading in bounded memory', () => {
  it('reads a file as a stream in batches, the same rows and problems as in memory, across chunk and record borders', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { readDatasetFile } = await import('./import');
    const dir = mkdtempSync(join(tmpdir(), 'spamops-read-'));
    try {
      const lines = ['sms_id,text,label'];
      for (let i = 0; i < 5000; i++) {
        if (i === 1234) lines.push(`b${i},"never closed,spam`);
        else if (i === 2345) lines.push(`q${i},"two\r\nlines, ""quoted""",ham`);
        else lines.push(`id${i},"text ${i}, with a comma",${i % 3 ? 'ham' : 'spam'}`);
      }
      const text = `${lines.join('\r\n')}\r\n`;
      const file = join(dir, 'd.csv');
      writeFileSync(file, text);
      const rows: string[] = [];
      const problems: { line: number; reason: string }[] = [];
      let batches = 0;
      for await (const b of readDatasetFile(file, { origin: 'd.csv', batchSize: 700 })) {
        batches++;
        rows.push(...b.rows.map((r) => `${r.sms_id}|${r.text}|${r.label}`));
        problems.push(...b.problems);
      }
      const mem = parseDataset(text, 'd.csv');
      expect(batches).toBeGreaterThan(5);
      expect(rows).toEqual(mem.rows.map((r) => `${r.sms_id}|${r.text}|${r.label}`));
      expect(problems).toEqual(mem.problems);
      expect(problems).toEqual([{ line: 1236, reason: 'broken quoting: a quoted field is never closed' }]);
      expect(rows).toContain('q2345|two\r\nlines, "quoted"|ham');
      expect(rows).toHaveLength(4999); // only the broken line is lost: the line after it is read again
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a file that is not lines of messages', () => {
  it('stops at a line past the limit with the line number (a decompression bomb, a binary file), without holding it whole', async () => {
    const { readDataset, MAX_LINE_CHARS } = await import('./import');
    let served = 0;
    // 64 MiB of one line, served in chunks as a zip entry would be: the reader must stop near the limit
    async function* oneLongLine() {
      yield Buffer.from('sms_id,text,label\nid1,hello,ham\n');
      for (let i = 0; i < 1024; i++) {
        served++;
        yield Buffer.alloc(1 << 16, 0x61);
      }
    }
    const read = async () => {
      for await (const _ of readDataset(oneLongLine(), 'bomb.tsv', { origin: 'bomb' })) void _;
    };
    await expect(read()).rejects.toThrow(/bomb\.tsv: line 3 runs past 1,048,576 characters without a line break: not a dataset of messages/);
    expect(served * (1 << 16)).toBeLessThanOrEqual(MAX_LINE_CHARS + (1 << 16));
  });

  it('refuses a line past the limit that came whole in one chunk, between two short ones, with its number', async () => {
    const { readDataset, MAX_LINE_CHARS } = await import('./import');
    async function* oneChunk() {
      yield Buffer.from(`sms_id,text,label\nid1,hello,ham\nid2,${'a'.repeat(MAX_LINE_CHARS)},ham\nid3,bye,ham\n`);
    }
    const read = async () => {
      for await (const _ of readDataset(oneChunk(), 'long.csv', { origin: 'long' })) void _;
    };
    await expect(read()).rejects.toThrow(/long\.csv: line 3 runs past 1,048,576 characters without a line break/);
  });

  it('reads a file with old Mac line endings (CR alone) line by line, TSV and CSV', async () => {
    const { readDataset } = await import('./import');
    const read = async (text: string) => {
      const rows: string[] = [];
      async function* one() {
        yield Buffer.from(text);
      }
      for await (const b of readDataset(one(), 'mac', { origin: 'mac' })) rows.push(...b.rows.map((r) => `${r.sms_id}|${r.text}|${r.label}`));
      return rows;
    };
    expect(await read('ham\tcr only one\rspam\tcr only two\rham\tcr three\r')).toEqual([
      'sms10001|cr only one|ham',
      'sms10002|cr only two|spam',
      'sms10003|cr three|ham',
    ]);
    expect(await read('sms_id,text,label\ra1,"hello, there",ham\ra2,win,spam')).toEqual(['a1|hello, there|ham', 'a2|win|spam']);
    // CRLF stays CRLF: a quoted line break is kept as written
    expect(await read('sms_id,text,label\r\na1,"two\r\nlines",ham\r\n')).toEqual(['a1|two\r\nlines|ham']);
  });

  it('refuses text that is not UTF-8 rather than change its characters (Latin-1, UTF-16), naming the encoding', async () => {
    const { readDataset } = await import('./import');
    const read = async (buf: Buffer) => {
      async function* one() {
        yield buf;
      }
      for await (const _ of readDataset(one(), 'enc.csv', { origin: 'enc' })) void _;
    };
    await expect(read(Buffer.from('sms_id,text,label\nLA1,caf\xe9 \xa3100 prize,spam\n', 'latin1'))).rejects.toThrow(
      /enc\.csv is not UTF-8 text \(line 2 has a byte that is not UTF-8: Latin-1 or Windows-1252, perhaps\): save it as UTF-8/,
    );
    await expect(read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('sms_id,text,label\n', 'utf16le')]))).rejects.toThrow(/it is UTF-16/);
    // UTF-8 with a byte-order mark is UTF-8
    await expect(read(Buffer.from('\ufeffsms_id,text,label\nU1,caf\u00e9 \u00a3100,spam\n'))).resolves.toBeUndefined();
  });

  it('says an empty file is empty', async () => {
    const { readDataset } = await import('./import');
    async function* nothing() {}
    const read = async () => {
      for await (const _ of readDataset(nothing(), 'empty.csv', { origin: 'empty' })) void _;
    };
    await expect(read()).rejects.toThrow('empty.csv is empty');
  });
});

describe.skipIf(!fullDatasetPath())('the full dataset', () => {
  it('reads the same 7,528 messages, byte for byte, as csv-parse does (the reader is written here for its bounded memory)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('csv-parse/sync');
    const text = readFileSync(fullDatasetPath()!, 'utf8');
    const ours = parseDataset(text, 'raw');
    const theirs = (parse(text, { columns: true }) as { sms_id: string; text: string; label: string }[]).map((r) => `${r.sms_id}|${r.text}|${r.label}`);
    expect(ours.problems).toEqual([]);
    expect(ours.rows.map((r) => `${r.sms_id}|${r.text}|${r.label}`)).toEqual(theirs);
    expect(ours.rows).toHaveLength(7528);
  });
});
