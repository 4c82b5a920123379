import { describe, expect, it } from 'vitest';
import { csvCell } from './csv-cell';
import { CsvRecords } from './csv-records';

/** a line of cells read back by our own CSV reader (the one imports use) */
const readBack = (line: string) => {
  const r = new CsvRecords();
  const events = [...r.push(1, line), ...r.end()];
  return events.flatMap((e) => (e.kind === 'record' ? [e.fields] : []))[0];
};

describe('csvCell', () => {
  it("prefixes what a spreadsheet would run as a formula with ' (OWASP CSV injection)", () => {
    const cases: [string, string][] = [
      ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
      ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
      ['+1+1', "'+1+1"],
      ['-2+3', "'-2+3"],
      ['\t=1', "'\t=1"],
      ['\r=1', `"'\r=1"`],
      ['=1,2', `"'=1,2"`],
    ];
    for (const [value, written] of cases) expect(csvCell(value), JSON.stringify(value)).toBe(written);
  });

  it('leaves other texts as they are, quoting only what RFC 4180 needs', () => {
    expect(csvCell('I have a dream')).toBe('I have a dream');
    expect(csvCell('a = b, c')).toBe('"a = b, c"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("'quoted already")).toBe("'quoted already");
    expect(csvCell(' =not first')).toBe(' =not first');
    expect(csvCell('')).toBe('');
  });

  it('writes texts as stored with raw, numbers as numbers, null as empty', () => {
    expect(csvCell('=HYPERLINK("x")', { raw: true })).toBe('"=HYPERLINK(""x"")"');
    expect(csvCell('+1+1', { raw: true })).toBe('+1+1');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
  });

  it('reads back as the text written, with one leading quote where it was escaped', () => {
    for (const v of ['=1+1', 'plain, with comma', 'a "quote"', '-', '@']) {
      expect(readBack(csvCell(v, { raw: true }))).toEqual([v]);
      expect(readBack(csvCell(v))).toEqual([/^[=+\-@]/.test(v) ? `'${v}` : v]);
    }
  });
});
