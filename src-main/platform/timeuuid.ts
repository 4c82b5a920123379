/**
 * Version-1 TimeUUIDs (RFC 4122, Cassandra's `timeuuid`): 60 bits of 100-ns intervals since
 * 1582-10-15, a clock sequence and a node id. Written here (30 lines) so that the embedded
 * default does not load cassandra-driver (127 modules) just to make ids; the Cassandra backend
 * reads and writes the same strings.
 */
import { createHash, randomBytes } from 'node:crypto';

const TIMEUUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch */
const GREGORIAN_OFFSET = 122_192_928_000_000_000n;
const TICKS_PER_MS = 10_000;

// A random node with the multicast bit set (RFC 4122 §4.5: not a real MAC address), and a random
// clock sequence, both per process.
const node = randomBytes(6);
node[0] |= 0x01;
const nodeHex = node.toString('hex');
let clockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff;
let lastMs = -1;
let ticks = 0;

/** A new TimeUUID for `date`; ids made in the same millisecond differ in their sub-millisecond ticks. */
export function newTimeUuid(date: Date = new Date()): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('newTimeUuid: invalid date');
  if (ms === lastMs) {
    ticks += 1;
    // more than 10,000 ids in one millisecond: a new clock sequence keeps them unique (RFC 4122 §4.1.5)
    if (ticks >= TICKS_PER_MS) {
      ticks = 0;
      clockSeq = (clockSeq + 1) & 0x3fff;
    }
  } else {
    lastMs = ms;
    ticks = 0;
  }
  return format(ms, ticks, clockSeq, nodeHex);
}

/**
 * A TimeUUID that is a function of its inputs: the time `ms` plus `subMsTicks` 100-ns ticks
 * (0-9999), with the clock sequence and node taken from a hash of `key`. The same message
 * redelivered (same stream, sequence and timestamp) gets the same id, so storing it again finds
 * it there instead of making a copy; distinct keys collide with odds of 2^-62 within one tick.
 */
export function timeUuidOf(ms: number, key: string, subMsTicks = 0): string {
  if (!Number.isFinite(ms)) throw new RangeError('timeUuidOf: invalid time');
  if (!Number.isInteger(subMsTicks) || subMsTicks < 0 || subMsTicks >= TICKS_PER_MS) throw new RangeError('timeUuidOf: ticks must be 0-9999');
  const h = createHash('sha256').update(key).digest();
  h[2] |= 0x01; // the multicast bit of the node, as for random nodes: not a MAC address
  return format(ms, subMsTicks, h.readUInt16BE(0) & 0x3fff, h.subarray(2, 8).toString('hex'));
}

function format(ms: number, ticks: number, seq14: number, node: string): string {
  const t = BigInt(ms) * BigInt(TICKS_PER_MS) + BigInt(ticks) + GREGORIAN_OFFSET;
  const hex = t.toString(16).padStart(15, '0');
  const timeLow = hex.slice(7, 15);
  const timeMid = hex.slice(3, 7);
  const timeHi = `1${hex.slice(0, 3)}`;
  const seq = (0x8000 | seq14).toString(16);
  return `${timeLow}-${timeMid}-${timeHi}-${seq}-${node}`;
}

export function isTimeUuid(id: string): boolean {
  return TIMEUUID_RE.test(id);
}

/** the instant a TimeUUID was made, at millisecond precision; throws on anything else */
export function timeOfTimeUuid(id: string): Date {
  if (!isTimeUuid(id)) throw new RangeError(`not a TimeUUID: "${id.slice(0, 60)}"`);
  const hex = id.slice(15, 18) + id.slice(9, 13) + id.slice(0, 8);
  const t = BigInt(`0x${hex}`) - GREGORIAN_OFFSET;
  return new Date(Number(t / BigInt(TICKS_PER_MS)));
}

/** the earliest and latest times a caller may give a message (its id or date): SMS as we know them, up to a day ahead */
export const EARLIEST_MESSAGE_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

/**
 * Why a caller-chosen message time cannot be taken, or undefined: an inbox is newest first by the
 * id's time, so an id dated 5236 would sit on top for good and one dated 1582 (a zero time) at the bottom.
 */
export function messageTimeProblem(ms: number, now = Date.now()): string | undefined {
  if (!Number.isFinite(ms)) return 'expected a valid time';
  if (ms >= EARLIEST_MESSAGE_MS && ms <= now + DAY_MS) return undefined;
  const when = Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
  return `dated ${when}: expected a time from 2000-01-01 to a day after now (${new Date(now).toISOString()})`;
}

/** why a caller-chosen sms_id cannot be taken (not a TimeUUID, or dated out of range), or undefined */
export function smsIdProblem(id: string, now = Date.now()): string | undefined {
  if (!isTimeUuid(id)) return `expected a TimeUUID (version-1 UUID), got "${id.slice(0, 60)}"`;
  return messageTimeProblem(timeOfTimeUuid(id).getTime(), now);
}
