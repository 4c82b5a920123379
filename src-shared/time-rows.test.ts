import { describe, expect, it } from 'vitest';
import { timeRows } from './time-rows';

const b = (t: string, v: number) => ({ t: `2026-01-01T10:${t}Z`, v });

describe('timeRows', () => {
  it('puts a null after a bucket followed by a quiet stretch, so the line breaks there instead of bridging it', () => {
    const rows = timeRows([{ key: 'p50', latency: [b('00:00', 4), b('00:10', 5), b('05:00', 150)] }], 10_000, (x) => x.v);
    expect(rows.map((r) => [new Date(r.t).toISOString().slice(14, 19), r.p50])).toEqual([
      ['00:00', 4],
      ['00:10', 5],
      ['00:20', null],
      ['05:00', 150],
    ]);
  });

  it('aligns series on one time axis, null where a series had no requests', () => {
    const rows = timeRows(
      [
        { key: 'a', latency: [b('00:00', 1), b('00:10', 2)] },
        { key: 'b', latency: [b('00:10', 9)] },
      ],
      10_000,
      (x) => x.v,
    );
    expect(rows.map((r) => [r.a, r.b])).toEqual([
      [1, null],
      [2, 9],
    ]);
  });
});
