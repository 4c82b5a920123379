/**
 * The check that takes a JetStream consumer for stopped (nothing pending while its stream holds
 * messages it never delivered) and makes it again: it must not take a healthy consumer under
 * steady traffic for a stopped one.
 */
import { describe, expect, it } from 'vitest';
import { stoppedDelivering } from './ingestion';

describe('stoppedDelivering', () => {
  const idle = (delivered: number) => ({ pending: 0, ackPending: 0, delivered });

  it('is false for a healthy consumer that delivered what arrived while its info was read (seen in the stream bench: 83,874 delivered, 83,877 held after)', () => {
    expect(stoppedDelivering({ messages: 83_874, last_seq: 83_874 }, idle(83_874), { last_seq: 83_877 })).toBe(false);
    // it delivered some of what arrived meanwhile too
    expect(stoppedDelivering({ messages: 83_874, last_seq: 83_874 }, idle(83_876), { last_seq: 83_877 })).toBe(false);
  });

  it('is true for a consumer behind what the stream held before its info was read, with nothing pending', () => {
    expect(stoppedDelivering({ messages: 83_877, last_seq: 83_877 }, idle(83_874), { last_seq: 83_877 })).toBe(true);
  });

  it("is true for a consumer ahead of all the stream holds (the old stream's position, after the stream was made again)", () => {
    expect(stoppedDelivering({ messages: 12, last_seq: 12 }, idle(5_000), { last_seq: 12 })).toBe(true);
  });

  it('is false while anything is pending or unacknowledged, and for an empty stream', () => {
    expect(stoppedDelivering({ messages: 10, last_seq: 10 }, { pending: 3, ackPending: 0, delivered: 7 }, { last_seq: 10 })).toBe(false);
    expect(stoppedDelivering({ messages: 10, last_seq: 10 }, { pending: 0, ackPending: 2, delivered: 8 }, { last_seq: 10 })).toBe(false);
    expect(stoppedDelivering({ messages: 0, last_seq: 40 }, idle(7), { last_seq: 40 })).toBe(false);
  });
});
