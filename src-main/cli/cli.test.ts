/** The CLI as people run it: a child process, exit codes, messages. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { appRoot } from '../config';
import { tempDir, fullDatasetPath, SKIP_FULL } from '../testing/fixtures';

const bin = join(appRoot(), 'bin', 'spamops.mjs');
const t = tempDir('spamops-cli-');
afterAll(() => t.remove());

function spamops(args: string[], dataDir = t.dir) {
  // the developer's or CI's settings must not leak in (CI sets SPAMOPS_DATASET to the full data)
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPAMOPS_') || k.startsWith('CASSANDRA_') || k === 'FEAST_STORE_STAGE') delete env[k];
  const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', dataDir], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('spamops CLI', () => {
  it('prints help and refuses unknown commands and flags', () => {
    expect(spamops(['--help']).out).toMatch(/materialize-incremental/);
    const bad = spamops(['frobnicate']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown command 'frobnicate'/);
    expect(spamops(['apply', '--bogus']).code).toBe(2);
    expect(spamops(['apply', '--stage', '2042']).err).toMatch(/--stage: expected 2019, 2020 or 2021/);
    // every command's help comes from its own module
    expect(spamops(['train', '--help']).out).toMatch(/--epochs <n> +passes over the data: an integer in \[1, 1000\]/);
  });

  it('checks numbers and names against their ranges before opening anything (usage errors exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['drift', '--size', 'abc'], /--size: expected an integer from 1 to 100000, got "abc"/],
      [['simulate', '--pattern', '^sms', '--count', '-5'], /--count: expected an integer from 1 to 100000/],
      [['simulate', '--pattern', '^sms', '--rate', '0'], /--rate: expected a number above 0/],
      [['simulate', '--pattern', '(unclosed'], /--pattern: not a regular expression/],
      [['retrain', 'v3', '--margin', '7'], /--margin: expected a number from -1 to 1/],
      [['train', 'v3', '--epochs', '0'], /epochs: expected an integer in \[1, 1000\], got "0"/],
      [['train', 'v3', '--param', 'lstmUnits=99999'], /lstmUnits: expected an integer in \[1, 1024\]/],
      [['train', 'v3', '--param', 'bogus=1'], /unknown parameter "bogus"/],
      [['serve', '--port', '70000'], /--port: expected an integer from 0 to 65535/],
      [['serve', '--stream', 'http://example.org/x'], /--stream: expected nats:\/\/host:port/],
      [['sms', 'send', 'a/b', 'hi', '--from', 'x'], /<user>: expected 1-100 characters without \/ or spaces/],
      [['sms', 'import', 'x.json', '--user', 'a b'], /--user: expected 1-100 characters without \/ or spaces/],
      [['import', 'x.csv', '--format', 'xml'], /--format: expected one of seed-csv, uci-sms-tsv, uci-youtube-csv/],
    ];
    for (const [args, message] of cases) {
      const r = spamops(args, join(t.dir, 'never-opened'));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(existsSync(join(t.dir, 'never-opened'))).toBe(false);
  });

  it('says what to do before anything was applied', () => {
    const r = spamops(['sample', 'sms1'], join(t.dir, 'empty'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/registry is empty: run `spamops apply`/);
    expect(spamops(['materialize', '2020-01-01', 'later'], join(t.dir, 'empty')).err).toMatch(/"later" is not a timestamp/);
  });

  it('imports with bad rows reported by line and duplicates rejected', () => {
    const f = join(t.dir, 'in.csv');
    writeFileSync(f, 'sms_id,text,label\nx1,hello there,ham\nx2,,spam\nx3,WIN CASH NOW,spam\n');
    const r = spamops(['import', f]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/imported 2 messages/);
    expect(r.err).toMatch(/line 3: empty text/);
    const again = spamops(['import', f]);
    expect(again.out).toMatch(/imported 0 messages.*2 duplicates rejected/);
    expect(again.err).toMatch(/rejected duplicate sms_id x1/);
  });

  it('sms import refuses an sms_id or date_sent dated before 2000 or more than a day ahead, naming the field and line', () => {
    const cases: [unknown, RegExp][] = [
      [
        { user_id: 'jo', sender_id: 'a', sms_text: 'x', sms_id: 'ffffffff-ffff-1fff-bfff-ffffffffffff' },
        /entry 1: sms_id: dated 5236-.*expected a time from 2000-01-01 to a day after now/,
      ],
      [{ user_id: 'jo', sender_id: 'a', sms_text: 'x', sms_id: '00000000-0000-1000-8000-000000000000' }, /entry 1: sms_id: dated 1582-10-15/],
      [{ user_id: 'jo', sender_id: 'a', sms_text: 'x', date_sent: '1999-12-31T00:00:00Z' }, /entry 1: date_sent: dated 1999-12-31/],
      [{ user_id: 'jo', sender_id: 'a', sms_text: 'x', date_sent: '2999-01-01T00:00:00Z' }, /entry 1: date_sent: dated 2999-01-01/],
    ];
    for (const [row, message] of cases) {
      const f = join(t.dir, 'dated.json');
      writeFileSync(f, JSON.stringify([row]));
      const r = spamops(['sms', 'import', f], join(t.dir, 'dated'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
    }
  });

  it('bootstraps the sample and samples the online store', () => {
    const dir = join(t.dir, 'boot');
    const b = spamops(['bootstrap', '--models', 'v1,v2'], dir);
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/bootstrap done/);
    const s = spamops(['sample', 'sms90001', 'nope'], dir);
    expect(s.out).toMatch(/== labeled_sms_1\n {2}sms90001: FOUND/);
    expect(s.out).toMatch(/nope: NOT FOUND/);
    expect(spamops(['explore'], dir).out).toMatch(/sms_features2 \(source smss2_push/);
    expect(spamops(['features', 'v2', 'I', 'have', 'a', 'dream'], dir).out).toMatch(/"features":\[(0,){27}\d+,\d+,\d+\]/);

    // retrieve: point-in-time rows to a file, whole; bad input named, nothing written
    const out = join(dir, 'train1.csv');
    const r = spamops(['retrieve', 'labeled_sms_1', '--entities', 'all', '--at', '2021-01-01', '--out', out], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^240 rows \(sms_id, event_timestamp, cap_r, nal_r, cw_scores_0/);
    expect(r.err).toMatch(/retrieved in [\d.]+ s/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('sms_id,event_timestamp,cap_r,nal_r,cw_scores_0,cw_scores_1,cw_scores_2,cw_scores_3,cw_scores_4,cw_scores_5,cw_scores_6,label');
    expect(lines).toHaveLength(241);
    // as a spreadsheet saves it: a byte-order mark, CRLF line ends
    writeFileSync(join(dir, 'ents.csv'), '\ufeffsms_id,event_timestamp\r\nsms90001,2019-05-05\r\nsms90002,2018-01-01\r\n');
    const two = spamops(['retrieve', 'labeled_sms_2', '--entities', join(dir, 'ents.csv'), '--out', join(dir, 'two.parquet')], dir);
    expect(two.out).toMatch(/^2 rows/);
    expect(spamops(['retrieve', 'labeled_sms_1', '--entities', 'all', '--out', join(dir, 'x.json')], dir).code).toBe(2);
    writeFileSync(join(dir, 'bad.csv'), 'sms_id,event_timestamp\nsms90001,2021-02-30\n');
    const bad = spamops(['retrieve', 'labeled_sms_1', '--entities', join(dir, 'bad.csv'), '--out', join(dir, 'bad-out.csv')], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.csv line 2: event_timestamp: "2021-02-30" is not a valid date/);
    expect(existsSync(join(dir, 'bad-out.csv'))).toBe(false);
    expect(spamops(['retrieve', 'nope', '--entities', 'all', '--out', join(dir, 'n.csv')], dir).err).toMatch(
      /unknown feature service "nope"; known: labeled_sms_1, labeled_sms_2/,
    );

    // export: the warehouse as one CSV that imports back to the same messages
    const exported = join(dir, 'export.csv');
    expect(spamops(['export', '--out', exported], dir).out).toMatch(/^240 labelled messages/);
    const again = spamops(['import', exported], join(t.dir, 'reimport'));
    expect(again.out).toMatch(/imported 240 messages/);
  });
});

describe.skipIf(!fullDatasetPath())(`seed story on the full dataset${fullDatasetPath() ? '' : ` (skipped: ${SKIP_FULL})`}`, () => {
  it('replays chapters 1-3 of the feature store with the sampler', () => {
    const dir = join(t.dir, 'full');
    const data = fullDatasetPath()!;
    expect(spamops(['import', data], dir).out).toMatch(/imported 7528 messages/);
    expect(spamops(['offline-sources', '--training-ids', join(data, '..', 'training_sms_ids.txt')], dir).code).toBe(0);
    expect(spamops(['apply', '--stage', '2019'], dir).out).toMatch(/\+ feature_view sms_features1 added/);
    const ids = ['sms14050', 'sms14051', 'sms14052'];
    expect(spamops(['sample', ...ids], dir).out).not.toMatch(/: FOUND/);
    expect(spamops(['apply', '--stage', '2021'], dir).out).toMatch(/\+ feature_view sms_features2 added/);
    spamops(['materialize', '2009-01-01T00:00:00', '2019-12-31T00:00:00'], dir);
    const after1 = spamops(['sample', ...ids], dir).out.split('== labeled_sms_2');
    expect(after1[0].match(/: FOUND/g)).toHaveLength(3);
    expect(after1[1]).not.toMatch(/: FOUND/);
    spamops(['materialize-incremental', '2021-09-02T00:00:00'], dir);
    expect(spamops(['sample', ...ids], dir).out.match(/: FOUND/g)).toHaveLength(6);
    // the seed's v2 features of "I have a dream"
    expect(spamops(['features', 'v2', 'I', 'have', 'a', 'dream'], dir).out).toMatch(/"features":\[(0,){27}1,20,4\]/);
  });
});
