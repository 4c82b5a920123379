#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx: no build step between a clone and a command.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// after tsx: ends tsx's esbuild helper process whenever no module is loading (see the file)
registerHooks(new URL('../src-main/platform/esbuild-service-hooks.mjs', import.meta.url));
const { main } = await import('../src-main/cli/index.ts');
const code = await main(process.argv.slice(2));
// the scale bench measures each command's peak memory (the process's, threads and DuckDB included)
if (process.env.SPAMOPS_PEAK_RSS_FILE) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.SPAMOPS_PEAK_RSS_FILE, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
}
// exit explicitly: a failed Cassandra connect leaves driver timers that would hold the process
process.exit(code);
