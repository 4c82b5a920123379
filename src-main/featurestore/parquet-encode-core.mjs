// One pushed part's rows as Parquet bytes, built in memory (parquetjs-lite's file writer issues
// many writes without awaiting each: on a full disk all but one of their rejections went
// unhandled). Shared by the encoding thread and the in-thread fallback (parquet-encode.ts).
export async function encodeRows(parquet, Writable, spec, rowGroupSize, rows) {
  const chunks = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await parquet.ParquetWriter.openStream(new parquet.ParquetSchema(spec), sink);
  writer.setRowGroupSize(rowGroupSize);
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(chunks);
}
