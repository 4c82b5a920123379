/** Where bytes stop being UTF-8: the offset of the first bad byte, a sequence begun and broken included. */
import { describe, expect, it } from 'vitest';
import { utf8Problem } from './unicode-text';

const at = (bytes: number[]) => utf8Problem(Uint8Array.from(bytes))?.detail;

describe('utf8Problem', () => {
  it('names the lead byte of a sequence broken by the next byte (it named the byte after it)', () => {
    // "a" then c3 28: c3 begins a two-byte sequence that 28 does not continue
    expect(at([0x61, 0xc3, 0x28, 0x20])).toBe('is not UTF-8 text (bytes c3 28 20 at byte 1): send the text as UTF-8');
    // e2 82 then 41: a three-byte sequence broken at its third byte
    expect(at([0xe2, 0x82, 0x41])).toMatch(/bytes e2 82 41 at byte 0/);
  });

  it('names a byte that is never UTF-8, after whole characters', () => {
    // "é" (c3 a9), then ff
    expect(at([0xc3, 0xa9, 0xff, 0x41])).toMatch(/bytes ff 41 at byte 2/);
    expect(at([0xff])).toMatch(/bytes ff at byte 0/);
    expect(at([0x61, 0xc3, 0xa9])).toBeUndefined();
  });
});
