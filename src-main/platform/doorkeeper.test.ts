/** The doorkeeper: a key admitted on its second sight, forgotten when another takes its slot. */
import { describe, expect, it } from 'vitest';
import { Doorkeeper } from './doorkeeper';

describe('Doorkeeper', () => {
  it('says a key was seen from its second sight on', () => {
    const d = new Doorkeeper(1024);
    expect([d.seenBefore('a'), d.seenBefore('a'), d.seenBefore('a')]).toEqual([false, true, true]);
    expect([d.seenBefore('b'), d.seenBefore('b')]).toEqual([false, true]);
    expect([d.seenBefore(''), d.seenBefore('')]).toEqual([false, true]);
  });

  it('forgets a key whose slot another key took', () => {
    const d = new Doorkeeper(1);
    expect([d.seenBefore('a'), d.seenBefore('b'), d.seenBefore('a'), d.seenBefore('a')]).toEqual([false, false, false, true]);
  });

  it('rarely mistakes a new key for one seen: 200,000 distinct texts, at most a handful', () => {
    const d = new Doorkeeper(65_536);
    let mistaken = 0;
    for (let i = 0; i < 200_000; i++) if (d.seenBefore(`"WINNER!! You have been selected ${i} to receive a FREE prize"`)) mistaken++;
    expect(mistaken).toBeLessThan(5);
    // and keeps the 10,000 newest, asked again, as often as chance allows: each meets the 10,000 others before it is asked again, e^(-10,000/65,536), about 8,600
    let kept = 0;
    for (let i = 190_000; i < 200_000; i++) if (d.seenBefore(`"WINNER!! You have been selected ${i} to receive a FREE prize"`)) kept++;
    expect(kept).toBeGreaterThan(8_400);
  });

  it('refuses a table whose size is not a power of two', () => {
    expect(() => new Doorkeeper(1000)).toThrow('power of two');
  });
});
