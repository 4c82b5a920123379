import { describe, expect, it } from 'vitest';
import { downsampleMean } from './downsample';

describe('downsampleMean', () => {
  it('leaves a short series as it is', () => {
    const s = [1, 2, 3].map((i) => ({ step: i, loss: i / 10 }));
    expect(downsampleMean(s, 300, 'step')).toBe(s);
  });
  it('averages equal buckets, keeps each bucket’s last x and the series’ end', () => {
    const s = Array.from({ length: 10_000 }, (_, i) => ({ step: i + 1, loss: i % 2 ? 1 : 0, accuracy: 0.5 }));
    const d = downsampleMean(s, 400, 'step');
    expect(d).toHaveLength(400);
    expect(d[0]).toEqual({ step: 25, loss: 0.48, accuracy: 0.5 }); // 25 points: 12 ones, 13 zeros
    expect(d.at(-1)?.step).toBe(10_000);
    expect(d.every((p, i) => i === 0 || p.step > d[i - 1].step)).toBe(true);
  });
  it('skips missing values instead of counting them as zero', () => {
    const s = Array.from({ length: 8 }, (_, i) => ({ step: i, v: i < 4 ? undefined : 2 }));
    expect(downsampleMean(s, 2, 'step')).toEqual([{ step: 3 }, { step: 7, v: 2 }]);
  });
});
