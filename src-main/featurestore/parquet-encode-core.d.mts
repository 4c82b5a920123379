import type { Writable } from 'node:stream';
import type parquetjs from 'parquetjs-lite';
import type { FieldSpec } from 'parquetjs-lite';

/** one pushed part's rows as Parquet bytes, built in memory (parquet-encode-core.mjs) */
export function encodeRows(
  parquet: typeof parquetjs,
  writable: typeof Writable,
  spec: Record<string, FieldSpec>,
  rowGroupSize: number,
  rows: Record<string, unknown>[],
): Promise<Buffer>;
