import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('averages complete seconds of the window and keeps the total', () => {
    let now = 100_000;
    const m = new RateMeter(5, () => now);
    for (let s = 0; s < 4; s++) {
      m.add(10);
      now += 1000;
    }
    m.add(3); // the current second: not counted in the rate yet
    expect(m.perSecond()).toBe(10);
    expect(m.total).toBe(43);
    now += 10_000; // all of it has left the window
    expect(m.perSecond()).toBe(0);
  });
});
