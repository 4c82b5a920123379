/** A row of the bench's table (and of its JSON), and the median the rows quote. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  target: string;
  ok: boolean;
  runs?: number[];
  note?: string;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
