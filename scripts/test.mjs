#!/usr/bin/env node
// `npm test`: the static checks (typecheck, lint + format, dependency rules), the
// unit/integration suite (vitest), then the browser e2e suite when a Chromium is found (else it
// says why it was skipped), then one closing line with the totals (each static check counts as
// one test).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const outDir = join(root, 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const totals = { passed: 0, failed: 0, skipped: 0 };
let exit = 0;

function runSuite(name, args) {
  const json = join(outDir, `${name}.json`);
  const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...args], {
    stdio: 'inherit',
    cwd: root,
  });
  if (!existsSync(json)) {
    console.error(`${name}: the test runner wrote no report (exit ${r.status})`);
    totals.failed += 1;
    exit = 1;
    return;
  }
  const rep = JSON.parse(readFileSync(json, 'utf8'));
  totals.passed += rep.numPassedTests;
  totals.failed += rep.numFailedTests;
  totals.skipped += rep.numPendingTests + rep.numTodoTests;
  // a file that failed to load counts as a failure even with no test in it
  if (r.status !== 0) {
    exit = 1;
    if (rep.numFailedTests === 0) totals.failed += 1;
  }
}

/** a static check: a command that passes or fails as a whole */
function runCheck(name, bin, args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'node_modules', ...bin), ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, encoding: 'utf8' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) {
    totals.passed += 1;
    console.log(`check ${name}: ok (${seconds} s)`);
  } else {
    totals.failed += 1;
    exit = 1;
    console.error(`check ${name}: FAILED (${seconds} s)\n${r.stdout}${r.stderr}`);
  }
}

runCheck('typecheck (tsc --noEmit)', ['typescript', 'bin', 'tsc'], ['--noEmit', '-p', 'tsconfig.json']);
runCheck('lint and format (biome check)', ['@biomejs', 'biome', 'bin', 'biome'], ['check', '.']);
runCheck(
  'dependency rules (dependency-cruiser)',
  ['dependency-cruiser', 'bin', 'dependency-cruise.mjs'],
  ['src-main', 'src-renderer', 'src-shared', 'bench', 'e2e', '--config', '.dependency-cruiser.cjs'],
);

runSuite('unit', []);

const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (process.env.SPAMOPS_SKIP_E2E === '1') console.log('\ne2e: skipped (SPAMOPS_SKIP_E2E=1)');
else if (!chromium) console.log("\ne2e: skipped: no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH; .ci/run installs it)");
else {
  // the e2e suite drives the built console: build it when missing or stale
  const b = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) {
    console.error('e2e: the console build failed');
    totals.failed += 1;
    exit = 1;
  } else runSuite('e2e', ['--config', 'e2e/vitest.config.ts']);
}

console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exit);
