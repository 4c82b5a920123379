#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx: no build step between a clone and a command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/index.ts');
// exit explicitly: a failed Cassandra connect leaves driver timers that would hold the process
process.exit(await main(process.argv.slice(2)));
