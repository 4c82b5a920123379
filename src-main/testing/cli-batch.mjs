// Runs several `spamops` command lines in one process (tests): one start of Node and tsx for a
// list of cases instead of one per case, each case's exit code, stdout and stderr kept apart.
// Usage: node cli-batch.mjs <cases.json> <results.json>; cases: [["drift", "--size", "abc", ...], ...]
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/index.ts');
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];
const write = { out: process.stdout.write, err: process.stderr.write };
const capture =
  (sink) =>
  (chunk, ...rest) => {
    sink.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((x) => typeof x === 'function');
    if (done) done();
    return true;
  };
for (const args of cases) {
  const out = { text: '' };
  const err = { text: '' };
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code;
  try {
    code = await main(args);
  } catch (e) {
    err.text += `(the case threw: ${e?.stack ?? e})\n`;
    code = 70;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  results.push({ code, out: out.text, err: err.text });
}
writeFileSync(process.argv[3], JSON.stringify(results));
process.exit(0);
