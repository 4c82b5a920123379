/**
 * Long synchronous work on the serving thread in slices: rows handled between two turns of the
 * event loop, so that requests are answered in between. The offline follower's gathering of a
 * quarter second under load (~1,500 messages: encoded, checked, staged as JSON for DuckDB) was one
 * block of 15-25 ms that held every request (`POST /sms`'s p99 17.8-20.8 ms; in slices of this
 * many rows, 8.0-11.5 ms, throughput unchanged).
 */
export const ROWS_PER_TURN = 256;
