/** Version-1 TimeUUIDs (as Cassandra's `timeuuid`), through cassandra-driver's implementation. */
import cassandra from 'cassandra-driver';

const { TimeUuid } = cassandra.types;
const TIMEUUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newTimeUuid(date: Date = new Date()): string {
  return TimeUuid.fromDate(date).toString();
}

export function isTimeUuid(id: string): boolean {
  return TIMEUUID_RE.test(id);
}

/** the instant a TimeUUID was made, at millisecond precision */
export function timeOfTimeUuid(id: string): Date {
  return TimeUuid.fromString(id).getDate();
}
