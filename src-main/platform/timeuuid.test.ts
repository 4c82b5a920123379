import { describe, expect, it } from 'vitest';
import cassandra from 'cassandra-driver';
import { isTimeUuid, newTimeUuid, smsIdProblem, timeOfTimeUuid, timeUuidOf } from './timeuuid';

describe('TimeUUIDs', () => {
  it('are version-1 UUIDs (RFC 4122 variant) carrying their date to the millisecond', () => {
    const d = new Date('2021-09-02T10:11:12.345Z');
    const id = newTimeUuid(d);
    expect(isTimeUuid(id)).toBe(true);
    expect(id[14]).toBe('1');
    expect('89ab').toContain(id[19]);
    expect(timeOfTimeUuid(id).toISOString()).toBe(d.toISOString());
  });

  it('read the same as cassandra-driver reads them, both ways (the Cassandra backend stores them as timeuuid)', () => {
    const ours = newTimeUuid(new Date('2019-02-03T00:00:00.007Z'));
    expect(cassandra.types.TimeUuid.fromString(ours).getDate().toISOString()).toBe('2019-02-03T00:00:00.007Z');
    const theirs = cassandra.types.TimeUuid.fromDate(new Date('2030-01-01T12:00:00.999Z')).toString();
    expect(timeOfTimeUuid(theirs).toISOString()).toBe('2030-01-01T12:00:00.999Z');
    // the seed's sample inbox ids
    expect(timeOfTimeUuid('0c6a1800-6b56-11ec-bf63-0242ac130002').toISOString()).toBe(
      cassandra.types.TimeUuid.fromString('0c6a1800-6b56-11ec-bf63-0242ac130002').getDate().toISOString(),
    );
  });

  it('stay unique within one millisecond, also past 10,000 ids in it', () => {
    const d = new Date('2024-01-01T00:00:00Z');
    const ids = Array.from({ length: 25_000 }, () => newTimeUuid(d));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(timeOfTimeUuid(id).getTime()).toBe(d.getTime());
  });

  it('refuse what is not a TimeUUID, by name', () => {
    expect(isTimeUuid('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBe(false); // version 4
    expect(() => timeOfTimeUuid('nope')).toThrow(/not a TimeUUID/);
    expect(() => newTimeUuid(new Date(Number.NaN))).toThrow(/invalid date/);
  });

  it('derived from a key: the same inputs give the same id, with the time kept and other keys apart', () => {
    const ms = Date.parse('2026-11-27T10:00:00.123Z');
    const a = timeUuidOf(ms, 'SMS_INCOMING:17', 4567);
    expect(timeUuidOf(ms, 'SMS_INCOMING:17', 4567)).toBe(a);
    expect(isTimeUuid(a)).toBe(true);
    expect(timeOfTimeUuid(a).getTime()).toBe(ms);
    expect(cassandra.types.TimeUuid.fromString(a).getDate().getTime()).toBe(ms);
    const others = new Set(Array.from({ length: 5000 }, (_, i) => timeUuidOf(ms, `SMS_INCOMING:${i}`, 4567)));
    expect(others.size).toBe(5000);
    expect(others.has(a)).toBe(true);
    expect(() => timeUuidOf(ms, 'k', 10_000)).toThrow(/ticks/);
  });

  it('a caller-chosen id is refused when dated before 2000 or more than a day ahead (an inbox is newest first by it)', () => {
    const now = Date.UTC(2026, 11, 4, 12);
    expect(smsIdProblem('ffffffff-ffff-1fff-bfff-ffffffffffff', now)).toMatch(/^dated 5236-.*expected a time from 2000-01-01 to a day after now/);
    expect(smsIdProblem('00000000-0000-1000-8000-000000000000', now)).toMatch(/^dated 1582-10-15T00:00:00.000Z: expected/);
    expect(smsIdProblem(newTimeUuid(new Date(Date.UTC(1999, 11, 31, 23, 59))), now)).toMatch(/^dated 1999-12-31/);
    expect(smsIdProblem(newTimeUuid(new Date(now + 25 * 3600_000)), now)).toMatch(/^dated 2026-12-05T13/);
    expect(smsIdProblem(newTimeUuid(new Date(now + 23 * 3600_000)), now)).toBeUndefined();
    expect(smsIdProblem(newTimeUuid(new Date(Date.UTC(2000, 0, 1))), now)).toBeUndefined();
    expect(smsIdProblem('not-an-id', now)).toMatch(/expected a TimeUUID/);
  });
});
