/**
 * Timestamps as people and the seed write them; a time without a zone is UTC. A time is a number
 * of epoch milliseconds whose fraction holds the microseconds (as Feast and the Parquet parts keep
 * them: TIMESTAMP_MICROS); exact to the microsecond until 2109, read back with `epochMicros`.
 */
import { FeatureInputError } from './errors';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseTimestamp(value: unknown, field: string): number {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value !== 'string')
    throw new FeatureInputError(field, `${field}: expected a timestamp string such as "2021-09-02 00:00:00" or "2021-09-02T00:00:00Z", got ${describe(value)}`);
  const m = TS_RE.exec(value.trim());
  if (!m)
    throw new FeatureInputError(field, `${field}: "${truncate(value)}" is not a timestamp; expected e.g. "2021-09-02 00:00:00" or "2021-09-02T00:00:00Z"`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  // a finer fraction would be cut without a word, and two rows a nanosecond apart would tie
  if (/[1-9]/.test(frac.slice(6)))
    throw new FeatureInputError(
      field,
      `${field}: "${truncate(value)}" has a fraction of a second finer than a microsecond; times are kept to the microsecond (at most 6 digits after the seconds)`,
    );
  let iso = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  if (frac) iso += `.${frac.slice(0, 3).padEnd(3, '0')}`;
  iso += !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const t = Date.parse(iso);
  // Date.parse rolls impossible dates over (2021-02-30 becomes March 2): check every field, zone or not
  const [Y, Mo, D, H, Mi, S] = [y, mo, d, h, mi, s].map(Number);
  const valid = !Number.isNaN(t) && Mo >= 1 && Mo <= 12 && D >= 1 && D <= new Date(Date.UTC(Y, Mo, 0)).getUTCDate() && H <= 23 && Mi <= 59 && S <= 59;
  if (!valid) throw new FeatureInputError(field, `${field}: "${truncate(value)}" is not a valid date`);
  const micros = Number(frac.slice(3, 6).padEnd(3, '0'));
  return micros ? t + micros / 1000 : t;
}

/**
 * An instant as the API's and the CLI's time flags take it: epoch milliseconds, or a timestamp
 * parseTimestamp takes (ISO 8601; an impossible date such as February 30 is not one); undefined
 * when it is neither.
 */
export function instantMs(raw: string): number | undefined {
  if (/^[0-9]+$/.test(raw)) return Number(raw);
  try {
    return parseTimestamp(raw, 'time');
  } catch {
    return undefined;
  }
}

/** a time (epoch ms, microseconds in the fraction) as whole epoch microseconds */
export function epochMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** ISO 8601 in UTC with milliseconds, and microseconds when there are any */
export function isoMicros(ms: number): string {
  const us = epochMicros(ms);
  const whole = Math.floor(us / 1000);
  const iso = new Date(whole).toISOString();
  const rest = us - whole * 1000;
  return rest ? `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z` : iso;
}

/** the texts of recent times: an online lookup stamps every value, and rows share few event times */
const recentIso = new Map<number, string>();
const RECENT_ISO_MAX = 4096;

/** ISO 8601 in UTC as the seed prints it: no fraction when it is zero */
export function isoUtc(ms: number): string {
  let s = recentIso.get(ms);
  if (s === undefined) {
    s = isoMicros(ms).replace('.000Z', 'Z');
    if (recentIso.size >= RECENT_ISO_MAX) recentIso.clear();
    recentIso.set(ms, s);
  }
  return s;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${truncate(v)}"`;
  return `${typeof v} ${truncate(JSON.stringify(v) ?? String(v))}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
