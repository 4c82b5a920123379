/**
 * Pushed parts encoded on the encoding thread: the same bytes as encoded in this thread, read back
 * by parquetjs-lite and DuckDB alike; a row the schema refuses is the caller's error, the thread
 * stays usable; with the thread gone, this thread encodes.
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parquet from 'parquetjs-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures';
import { encodeRows } from './parquet-encode-core.mjs';
import { ParquetEncoder } from './parquet-encode';

const t = tempDir('spamops-encode-');
afterAll(() => t.remove());

const spec = {
  sms_id: { type: 'UTF8' as const },
  event_timestamp: { type: 'TIMESTAMP_MICROS' as const },
  features: { type: 'INT64' as const, repeated: true },
  label: { type: 'UTF8' as const, optional: true },
};
const rows = Array.from({ length: 300 }, (_, i) => ({
  sms_id: `sms${90000 + i}`,
  event_timestamp: BigInt(1_600_000_000_000_000 + i),
  features: [i, i + 1, 0, 7],
  ...(i % 3 ? { label: i % 2 ? 'spam' : 'ham' } : {}),
}));

describe('ParquetEncoder', () => {
  it('encodes on its thread the bytes this thread would, and they read back row for row', async () => {
    const e = new ParquetEncoder();
    try {
      const threaded = await e.encode(spec, 8192, rows);
      const here = await encodeRows(parquet, Writable, spec, 8192, rows);
      expect(threaded.equals(here)).toBe(true);
      const file = join(t.dir, 'part.parquet');
      writeFileSync(file, threaded);
      const reader = await parquet.ParquetReader.openFile(file);
      const cursor = reader.getCursor();
      const back: Record<string, unknown>[] = [];
      for (let r = await cursor.next(); r; r = await cursor.next()) back.push(r as Record<string, unknown>);
      await reader.close();
      expect(back.length).toBe(300);
      expect(back[4]).toMatchObject({ sms_id: 'sms90004', features: [4n, 5n, 0n, 7n], label: 'ham' });
      expect(back[3].label ?? null).toBe(null);
    } finally {
      e.close();
    }
  });

  it("refuses a row the schema refuses with parquetjs-lite's error, and encodes the next part", async () => {
    const e = new ParquetEncoder();
    try {
      await expect(e.encode(spec, 8192, [{ sms_id: 'a', features: [] }])).rejects.toThrow(/missing required field: event_timestamp/);
      expect((await e.encode(spec, 8192, rows.slice(0, 5))).length).toBeGreaterThan(100);
    } finally {
      e.close();
    }
  });

  it('encodes in this thread when its thread dies, and from then on', async () => {
    let started = 0;
    const e = new ParquetEncoder(() => {
      started++;
      return new Worker('process.exit(3)', { eval: true });
    });
    const here = await encodeRows(parquet, Writable, spec, 8192, rows);
    expect((await e.encode(spec, 8192, rows)).equals(here)).toBe(true);
    expect((await e.encode(spec, 8192, rows)).equals(here)).toBe(true);
    expect(started).toBe(1);
  });
});
