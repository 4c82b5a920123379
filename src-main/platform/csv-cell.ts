/**
 * One cell of a CSV file we write, quoted as RFC 4180 says and safe to open in a spreadsheet: a
 * text starting with = + - @, a tab or a carriage return is read as a formula by Excel,
 * LibreOffice and Google Sheets (OWASP's "CSV injection": `=HYPERLINK(…)` sends the reader
 * elsewhere), so it is written with a leading ' unless `raw` asks for the text as stored. Every
 * CSV export uses this one function, so the rule is the same in each file.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export interface CsvCellOptions {
  /** write texts as stored, formulas included (for tools that read the file back, not spreadsheets) */
  raw?: boolean;
}

/** a number is written as JavaScript prints it (never a formula); null and undefined as an empty cell */
export function csvCell(value: string | number | null | undefined, o: CsvCellOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = !o.raw && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
