/**
 * A pushed part's Parquet bytes by parquetjs-lite, in JavaScript, for where DuckDB cannot load:
 * pushes (the inbox's offline rows, the stream's feature step, POST /push) still reach the
 * offline store, at about 100 µs a row against DuckDB's 10; reading them needs DuckDB anyway.
 * The bytes are built in memory and written with one call (parquetjs-lite's file writer issues
 * writes without awaiting each: on a full disk all but one of their rejections went unhandled).
 */
import { Writable } from 'node:stream';
import parquet, { type FieldSpec } from 'parquetjs-lite';
import type { FeatureValueType, FieldDef, FileSourceDef } from '../../src-shared/featurestore';
import type { OfflineRow } from './offline-row';
import { epochMicros } from './timestamps';

const PARQUETJS_TYPES: Record<FeatureValueType, FieldSpec> = {
  Float32: { type: 'FLOAT' },
  Float64: { type: 'DOUBLE' },
  Int64: { type: 'INT64' },
  String: { type: 'UTF8' },
  'Array(Int64)': { type: 'INT64', repeated: true },
};

/**
 * A time as parquetjs-lite writes it to a TIMESTAMP_MICROS column: whole microseconds (a Date
 * would keep milliseconds only). It refuses negative integers, so a time before 1970 goes as a
 * Date, to the millisecond.
 */
function timestampMicros(ms: number): bigint | Date {
  const us = epochMicros(ms);
  return us >= 0 ? BigInt(us) : new Date(ms);
}

export async function parquetjsPart(source: FileSourceDef, key: string, fields: FieldDef[], rows: OfflineRow[]): Promise<Buffer> {
  const spec: Record<string, FieldSpec> = {
    [key]: { type: 'UTF8' },
    [source.timestampField]: { type: 'TIMESTAMP_MICROS' },
    [source.createdTimestampColumn]: { type: 'TIMESTAMP_MICROS' },
  };
  for (const f of fields) spec[f.name] = { ...PARQUETJS_TYPES[f.dtype], optional: !f.dtype.startsWith('Array') };
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await parquet.ParquetWriter.openStream(new parquet.ParquetSchema(spec), sink);
  writer.setRowGroupSize(8192);
  for (const r of rows) {
    const row: Record<string, unknown> = {
      [key]: r.entityKey,
      [source.timestampField]: timestampMicros(r.eventTs),
      [source.createdTimestampColumn]: timestampMicros(r.createdTs),
    };
    for (const f of fields) {
      const v = r.values[f.name];
      if (v !== null && v !== undefined) row[f.name] = v;
    }
    await writer.appendRow(row);
  }
  await writer.close();
  return Buffer.concat(chunks);
}
