/** Serving statistics: a series per route and version, gaps kept as gaps, the window asked for. */
import { describe, expect, it } from 'vitest';
import { ServingStats } from './request-stats';

const T0 = Date.parse('2026-01-01T10:00:00Z');

describe('ServingStats', () => {
  it('keeps a series per route and version, and a quiet stretch as missing buckets (no value drawn there)', () => {
    const s = new ServingStats();
    for (let i = 0; i < 100; i++) s.record('text_to_prediction', i + 1, T0 + 1000, 'v1');
    s.record('text_to_prediction', 150, T0 + 2000, 'v2');
    // five quiet minutes, then one request
    s.record('text_to_prediction', 3, T0 + 300_000, 'v1');
    s.record('features_to_prediction', 7, T0 + 300_500, 'v1');
    const snap = s.snapshot({ now: T0 + 301_000 });
    expect(snap.latency.map((b) => b.t)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z']);
    expect(snap.latency[0]).toMatchObject({ count: 101, p50_ms: 51, p99_ms: 100, max_ms: 150 });
    expect(snap.series.map((x) => [x.route, x.version, x.latency.map((b) => b.count)])).toEqual([
      ['features_to_prediction', 'v1', [1]],
      ['text_to_prediction', 'v1', [100, 1]],
      ['text_to_prediction', 'v2', [1]],
    ]);
    // the v2 request's 150 ms belongs to v2 alone
    expect(snap.series[1].latency[0].max_ms).toBe(100);
    expect(snap.series[2].latency[0].p50_ms).toBe(150);
  });

  it('answers the window asked for, at most the hour kept', () => {
    const s = new ServingStats();
    s.record('text_to_prediction', 5, T0, 'v1');
    s.record('text_to_prediction', 6, T0 + 30 * 60_000, 'v1');
    const last5m = s.snapshot({ now: T0 + 31 * 60_000, windowMs: 5 * 60_000 });
    expect(last5m.latency).toHaveLength(1);
    expect(last5m.window_start).toBe('2026-01-01T10:26:00.000Z');
    expect(s.snapshot({ now: T0 + 31 * 60_000 }).latency).toHaveLength(2);
    // an hour later the first bucket is gone even from a series with little traffic
    s.record('text_to_prediction', 7, T0 + 61 * 60_000, 'v1');
    expect(s.snapshot({ now: T0 + 61 * 60_000 }).series[0].latency.map((b) => b.count)).toEqual([1, 1]);
  });
});
