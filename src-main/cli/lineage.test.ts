/**
 * Run names and tags and versions compared from the command line, as people run it: `train --name
 * --tag`, `runs tag`, `models compare` (child processes, exit codes, messages).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures';
import { spamopsBatch } from '../testing/cli';

const t = tempDir('spamops-cli-lineage-');
afterAll(() => t.remove());

const batch = (cases: string[][]) => spamopsBatch(cases.map((args) => ({ args, dataDir: t.dir })));

describe('spamops train --name --tag, runs tag, models compare', () => {
  it('names and tags a run, edits them, compares two versions in a table; bad input refused by name', { timeout: 600_000 }, () => {
    const [boot, trained, badTag, tooMany, longName, compare, one, twice, missing] = batch([
      ['bootstrap', '--models', 'v1'],
      ['train', 'v1', '--name', 'more trees', '--tag', 'cli', '--tag', 'big', '--param', 'nEstimators=7'],
      ['train', 'v1', '--tag', 'Not OK'],
      ['train', 'v1', ...Array.from({ length: 11 }, (_, i) => ['--tag', `t${i}`]).flat()],
      ['train', 'v1', '--name', 'x'.repeat(81)],
      ['models', 'compare', 'v1', '1', '2'],
      ['models', 'compare', 'v1', '1'],
      ['models', 'compare', 'v1', '2', '2'],
      ['models', 'compare', 'v1', '1', '9'],
    ]);
    expect(boot.code, boot.err).toBe(0);
    expect(trained.code, trained.err).toBe(0);
    expect(trained.out).toMatch(/v1 version 2 /);
    expect(badTag.code).toBe(2);
    expect(badTag.err).toMatch(/tag: expected a tag of 1 to 32 of a-z, 0-9/);
    expect(tooMany.code).toBe(2);
    expect(tooMany.err).toMatch(/at most 10 tags/);
    expect(longName.code).toBe(2);
    expect(longName.err).toMatch(/name: expected at most 80 characters, got 81/);

    expect(compare.code, compare.err).toBe(0);
    expect(compare.out).toMatch(/v1 on the evaluation set holdout-fnv1a-20 \(42 messages\)/);
    const lines = compare.out.split('\n');
    const row = (label: string) => lines.find((l) => new RegExp(`^\\*? +${label} `).test(l)) ?? '';
    expect(lines.some((l) => /version 1 +version 2/.test(l))).toBe(true);
    expect(row('name')).toMatch(/- +more trees/);
    expect(row('tags')).toMatch(/- +cli,big/);
    expect(row('accuracy')).toMatch(/\d\.\d{4} +\d\.\d{4}/);
    expect(row('nEstimators')).toMatch(/^\* +nEstimators +\d+ +7/);
    expect(row('seed')).toMatch(/^ +seed/);
    expect(one.code).toBe(1);
    expect(one.err).toMatch(/versions: expected 2 to 4 versions, got 1/);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/each version once, got 2 twice/);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/model v1 has no version 9/);

    const runId = /run (run-[\w-]+): training v1/.exec(trained.err)?.[1];
    expect(runId).toBeDefined();
    const [added, removed, bad, list] = batch([
      ['runs', 'tag', runId!, 'baseline', '--name', 'seven trees'],
      ['runs', 'tag', runId!, 'big', '--remove'],
      ['runs', 'tag', runId!, 'BAD'],
      ['runs', 'list'],
    ]);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/"seven trees", tags cli, big, baseline/);
    expect(removed.out).toMatch(/"seven trees", tags cli, baseline/);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/tag: expected a tag/);
    expect(list.out).toMatch(new RegExp(`${runId}.* seven trees +cli,baseline`));

    // runs compare and a guarded promotion from the command line
    const ids = [...list.out.matchAll(/^(run-[\w-]+) +v1 +succeeded/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const [runs2, runs1, runsUnknown, guarded, badMetric, forced] = batch([
      ['runs', 'compare', ids[0], ids[1]],
      ['runs', 'compare', ids[0]],
      ['runs', 'compare', ids[0], 'run-nope'],
      ['models', 'promote', 'v1', '2', '--metric', 'accuracy'],
      ['models', 'promote', 'v1', '2', '--metric', 'speed'],
      ['models', 'promote', 'v1', '2', '--confirm', '--note', 'seven trees for the demo'],
    ]);
    expect(runs2.code, runs2.err).toBe(0);
    expect(runs2.out).toMatch(new RegExp(`${ids[0]} +${ids[1]}`));
    expect(runs2.out).toMatch(/^\* +nEstimators +\d+ +\d+/m);
    expect(runs2.out).toMatch(/^ +seed +42 +42/m);
    expect(runs1.code).toBe(1);
    expect(runs1.err).toMatch(/expected 2 to 4 run ids, got 1/);
    expect(runsUnknown.code).toBe(1);
    expect(runsUnknown.err).toMatch(/no run "run-nope"/);
    // judged beside production (version 1) on the shared set: promoted when not worse, refused by name when worse
    if (guarded.code === 0)
      expect(guarded.out).toMatch(/v1: production -> version 2 \(accuracy \d\.\d{4} against version 1's \d\.\d{4} on 42 messages of holdout-fnv1a-20\)/);
    else expect(guarded.err).toMatch(/v1 version 2 is worse than version 1 \(production\) on accuracy: .* confirm to promote it anyway \(--confirm\)/);
    expect(badMetric.code).toBe(2);
    expect(badMetric.err).toMatch(/--metric: expected one of f1, averagePrecision, rocAuc, accuracy, got "speed"/);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/v1: production -> version 2/);
    const [history] = batch([['models', 'list']]);
    expect(history.out).toMatch(/v1 +2 .*production/);
  });
});
