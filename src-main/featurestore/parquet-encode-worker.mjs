// Encodes pushed parts (parquet-encode.ts) on a thread of its own: parquetjs-lite shreds and
// encodes row by row in JavaScript, about 10-15 ms a part that would otherwise hold the event loop
// (and every request waiting on it) four times a second while the inbox is busy.
import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import parquet from 'parquetjs-lite';
import { encodeRows } from './parquet-encode-core.mjs';

parentPort.on('message', async (m) => {
  try {
    const buf = await encodeRows(parquet, Writable, m.spec, m.rowGroupSize, m.rows);
    // a copy of its own, so the whole buffer moves without a copy back
    const out = new Uint8Array(buf.length);
    out.set(buf);
    parentPort.postMessage({ id: m.id, value: out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
