// The scale bench's reference: DuckDB's own ASOF JOIN, as anyone would write it, run on its own.
// Usage: node bench/duckdb-reference.mjs <sql file>; prints the query's seconds, writes peak RSS
// to SPAMOPS_PEAK_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';

const sql = readFileSync(process.argv[2], 'utf8');
const db = await DuckDBInstance.create(':memory:', { threads: String(Math.max(1, cpus().length)) });
const c = await db.connect();
const t0 = performance.now();
await c.run(sql);
process.stderr.write(`joined in ${((performance.now() - t0) / 1000).toFixed(3)} s\n`);
c.closeSync();
if (process.env.SPAMOPS_PEAK_RSS_FILE) writeFileSync(process.env.SPAMOPS_PEAK_RSS_FILE, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
