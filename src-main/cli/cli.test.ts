/**
 * The CLI as people run it: child processes, exit codes, messages. Each test runs its command
 * lines in one child (spamopsBatch): one start of Node and tsx per list, not per case.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir, fullDatasetPath, SKIP_FULL } from '../testing/fixtures';
import { spamopsBatch, type CliResult } from '../testing/cli';

const t = tempDir('spamops-cli-');
afterAll(() => t.remove());

/** the command lines in one process, in order, each with its data dir (default the test's) */
const batch = (cases: (string[] | [string[], string])[]): CliResult[] =>
  spamopsBatch(cases.map((c) => (Array.isArray(c[0]) ? { args: c[0] as string[], dataDir: c[1] as string } : { args: c as string[], dataDir: t.dir })));

describe('spamops CLI', () => {
  it('prints help and refuses unknown commands and flags', () => {
    const [help, bad, flag, stage, train] = batch([['--help'], ['frobnicate'], ['apply', '--bogus'], ['apply', '--stage', '2042'], ['train', '--help']]);
    expect(help.out).toMatch(/materialize-incremental/);
    expect(help.out).toMatch(/check \[options\] +verify the data dir/);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown command 'frobnicate'/);
    expect(flag.code).toBe(2);
    expect(stage.err).toMatch(/--stage: expected 2019, 2020 or 2021/);
    // every command's help comes from its own module
    expect(train.out).toMatch(/--epochs <n> +passes over the data: an integer in \[1, 1000\]/);
  });

  it('checks numbers and names against their ranges before opening anything (usage errors exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['drift', '--size', 'abc'], /--size: expected an integer from 1 to 100000, got "abc"/],
      [['drift', '--from', 'soon'], /--from: expected epoch milliseconds or an ISO 8601 date\/time, got "soon"/],
      [['drift', '--reference', 'live'], /--reference: expected one of training, window, got "live"/],
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
    const never = join(t.dir, 'never-opened');
    const results = batch(cases.map(([args]) => [args, never]));
    for (const [i, [args, message]] of cases.entries()) {
      expect(results[i].code, args.join(' ')).toBe(2);
      expect(results[i].err, args.join(' ')).toMatch(message);
    }
    expect(existsSync(never)).toBe(false);
  });

  it('says what to do before anything was applied', () => {
    const empty = join(t.dir, 'empty');
    const [sample, materialize] = batch([
      [['sample', 'sms1'], empty],
      [['materialize', '2020-01-01', 'later'], empty],
    ]);
    expect(sample.code).toBe(1);
    expect(sample.err).toMatch(/registry is empty: run `spamops apply`/);
    expect(materialize.err).toMatch(/"later" is not a timestamp/);
  });

  it('imports with bad rows reported by line and duplicates rejected', () => {
    const f = join(t.dir, 'in.csv');
    writeFileSync(f, 'sms_id,text,label\nx1,hello there,ham\nx2,,spam\nx3,WIN CASH NOW,spam\n');
    const [r, again] = batch([
      ['import', f],
      ['import', f],
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/imported 2 messages/);
    expect(r.err).toMatch(/line 3: empty text/);
    expect(again.out).toMatch(/imported 0 messages.*2 duplicates kept as they were/);
    expect(again.err).toMatch(/duplicate sms_id x1: it holds this message already/);
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
    const files = cases.map(([row], i) => {
      const f = join(t.dir, `dated-${i}.json`);
      writeFileSync(f, JSON.stringify([row]));
      return f;
    });
    const results = batch(files.map((f) => [['sms', 'import', f], join(t.dir, 'dated')] as [string[], string]));
    for (const [i, [, message]] of cases.entries()) {
      expect(results[i].code).toBe(1);
      expect(results[i].err).toMatch(message);
    }
  });

  it('sms send and sms import take the text POST /sms takes: counted in characters, Unicode, never empty', () => {
    const dir = join(t.dir, 'texts');
    const notUtf8 = join(t.dir, 'not-utf8.json');
    writeFileSync(notUtf8, Buffer.concat([Buffer.from('[{"user_id":"jo","sender_id":"a","sms_text":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]));
    const lone = join(t.dir, 'lone.json');
    writeFileSync(lone, '{"user_id":"jo","sender_id":"a","sms_text":"lone \\ud800 surrogate"}\n');
    const [empty, replaced, emoji, longText, bytes, surrogate, folder] = batch([
      [['sms', 'send', 'bob', '', '--from', 'x'], dir],
      [['sms', 'send', 'bob', 'bad\uFFFD\uFFFDbytes', '--from', 'x'], dir],
      [['sms', 'send', '😀'.repeat(60), 'hello', '--from', 'x'], dir],
      [['sms', 'send', 'bob', '😀'.repeat(1500), '--from', 'x'], dir],
      [['sms', 'import', notUtf8], dir],
      [['sms', 'import', lone], dir],
      [['sms', 'import', t.dir], dir],
    ]);
    // an empty message was stored (exit 0), and bytes that were not UTF-8 stored as U+FFFD
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/<text>: expected 1-2000 characters, got 0/);
    expect(replaced.code).toBe(1);
    expect(replaced.err).toMatch(/<text>: holds U\+FFFD, the mark of bytes that were not UTF-8/);
    // 60 emoji are 60 characters (the API takes a user of 100), 1,500 emoji are 1,500
    expect(emoji.code, emoji.err).toBe(0);
    expect(longText.code, longText.err).toBe(0);
    expect(bytes.code).toBe(1);
    expect(bytes.err).toMatch(/not-utf8\.json is not UTF-8 text \(bytes ff fe .* at byte 48\)/);
    expect(surrogate.code).toBe(1);
    expect(surrogate.err).toMatch(/line 1: sms_text: holds a lone UTF-16 surrogate/);
    expect(folder.code).toBe(1);
    expect(folder.err).toMatch(/is a directory: give a JSON file/);
    expect(folder.err).not.toMatch(/EISDIR/);
  });

  it('names a directory given for a file, a file given for the data dir, and leaves no data dir when bootstrap cannot start', () => {
    const fileAsDir = join(t.dir, 'a-file');
    writeFileSync(fileAsDir, 'x');
    const fresh = join(t.dir, 'never-made');
    const [folder, dataDirFile, noDataset, v7, bogus] = batch([
      ['import', t.dir],
      [['models'], fileAsDir],
      [['bootstrap', '--dataset', join(t.dir, 'nonexistent.csv')], fresh],
      [['bootstrap', '--models', 'v7'], fresh],
      ['models', 'bogus'],
    ]);
    // a model id that is not there (it said "too many arguments for 'list'")
    expect(bogus.code).toBe(1);
    expect(bogus.err).toMatch(/no model "bogus" is registered; models: .* \(or a command: list, /);
    expect(folder.code).toBe(1);
    expect(folder.err).toMatch(/is a directory: give a dataset file/);
    expect(dataDirFile.code).toBe(1);
    expect(dataDirFile.err).toMatch(/a-file exists and is not a directory: give a directory/);
    expect(`${folder.err}${dataDirFile.err}`).not.toMatch(/EISDIR|EEXIST/);
    expect(noDataset.code).toBe(1);
    expect(noDataset.err).toMatch(/--dataset: no such file .*nonexistent\.csv/);
    // "v7" was trained as a model of its own
    expect(v7.code).toBe(1);
    expect(v7.err).toMatch(/--models: expected a list of v1, v2, v3 or "none", got "v7"/);
    // neither made the data dir (a failed bootstrap left one with a database in it)
    expect(existsSync(fresh)).toBe(false);
  });

  it('bootstraps the sample and samples the online store', { timeout: 300_000 }, () => {
    const dir = join(t.dir, 'boot');
    mkdirSync(dir, { recursive: true });
    // as a spreadsheet saves it: a byte-order mark, CRLF line ends
    writeFileSync(join(dir, 'ents.csv'), '\ufeffsms_id,event_timestamp\r\nsms90001,2019-05-05\r\nsms90002,2018-01-01\r\n');
    writeFileSync(join(dir, 'bad.csv'), 'sms_id,event_timestamp\nsms90001,2021-02-30\n');
    const out = join(dir, 'train1.csv');
    const exported = join(dir, 'export.csv');
    const [b, s, explore, features, r, two, json, bad, nope, exp, again, evalV1, thrV1, thrNone, thrBad] = batch([
      [['bootstrap', '--models', 'v1,v2'], dir],
      [['sample', 'sms90001', 'nope'], dir],
      [['explore'], dir],
      [['features', 'v2', 'I', 'have', 'a', 'dream'], dir],
      // retrieve: point-in-time rows to a file, whole; bad input named, nothing written
      [['retrieve', 'labeled_sms_1', '--entities', 'all', '--at', '2021-01-01', '--out', out], dir],
      [['retrieve', 'labeled_sms_2', '--entities', join(dir, 'ents.csv'), '--out', join(dir, 'two.parquet')], dir],
      [['retrieve', 'labeled_sms_1', '--entities', 'all', '--out', join(dir, 'x.json')], dir],
      [['retrieve', 'labeled_sms_1', '--entities', join(dir, 'bad.csv'), '--out', join(dir, 'bad-out.csv')], dir],
      [['retrieve', 'nope', '--entities', 'all', '--out', join(dir, 'n.csv')], dir],
      // export: the warehouse as one CSV that imports back to the same messages
      [['export', '--out', exported], dir],
      [['import', exported], join(t.dir, 'reimport')],
      // a version on the shared evaluation set, and its decision threshold
      [['models', 'evaluate', 'v1', '1'], dir],
      [['models', 'threshold', 'v1', '1', '--recall', '1', '--note', 'catch all'], dir],
      [['models', 'threshold', 'v1', '1'], dir],
      [['models', 'threshold', 'v1', '1', '--precision', '2'], dir],
    ]);
    expect(evalV1.code, evalV1.err).toBe(0);
    expect(evalV1.out).toMatch(/v1 version 1 on the evaluation set holdout-fnv1a-20 \(42 messages, \d+ spam/);
    expect(evalV1.out).toMatch(/at 0.5 \(no threshold set\): threshold 0.5000: precision/);
    expect(thrV1.code, thrV1.err).toBe(0);
    expect(thrV1.out).toMatch(/v1 version 1: threshold [\d.]+ \(precision [\d.]+, recall 1.0000, F1 [\d.]+ on 42 messages of holdout-fnv1a-20\)/);
    expect(thrNone.code).toBe(1);
    expect(thrNone.err).toMatch(/choose one of --precision, --recall, --f1, --value/);
    expect(thrBad.code).toBe(2);
    expect(thrBad.err).toMatch(/--precision: expected a number above 0 up to 1, got "2"/);
    expect(b.code, b.err).toBe(0);
    expect(b.err).toMatch(/bootstrap done/);
    expect(s.out).toMatch(/== labeled_sms_1\n {2}sms90001: FOUND/);
    expect(s.out).toMatch(/nope: NOT FOUND/);
    expect(explore.out).toMatch(/sms_features2 \(source smss2_push/);
    expect(features.out).toMatch(/"features":\[(0,){27}\d+,\d+,\d+\]/);

    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^240 rows \(sms_id, event_timestamp, cap_r, nal_r, cw_scores_0/);
    expect(r.err).toMatch(/retrieved in [\d.]+ s/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('sms_id,event_timestamp,cap_r,nal_r,cw_scores_0,cw_scores_1,cw_scores_2,cw_scores_3,cw_scores_4,cw_scores_5,cw_scores_6,label');
    expect(lines).toHaveLength(241);
    expect(two.out).toMatch(/^2 rows/);
    expect(json.code).toBe(2);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.csv line 2: event_timestamp: "2021-02-30" is not a valid date/);
    expect(existsSync(join(dir, 'bad-out.csv'))).toBe(false);
    expect(nope.err).toMatch(/unknown feature service "nope"; known: labeled_sms_1, labeled_sms_2/);
    expect(exp.out).toMatch(/^240 labelled messages/);
    expect(again.out).toMatch(/imported 240 messages/);
  });
});

describe('spamops export', () => {
  it("escapes texts a spreadsheet would run as formulas with ', writes them as stored with --raw, and says so when --out is a folder", () => {
    const dir = join(t.dir, 'export');
    mkdirSync(dir, { recursive: true });
    const formulas = ['=HYPERLINK("http://evil.example","win")', '@SUM(A1:A9)', '+1+1', '-2+3'];
    const f = join(dir, 'in.csv');
    writeFileSync(f, `sms_id,text,label\n${formulas.map((x, i) => `f${i},"${x.replace(/"/g, '""')}",spam`).join('\n')}\nf9,plain text,ham\n`);
    const safe = join(dir, 'safe.csv');
    const raw = join(dir, 'raw.csv');
    const [imported, exported, exportedRaw, folder] = batch([
      [['import', f], dir],
      [['export', '--out', safe], dir],
      [['export', '--out', raw, '--raw'], dir],
      [['export', '--out', dir], dir],
    ]);
    expect(imported.out).toMatch(/imported 5 messages/);
    expect(exported.code, exported.err).toBe(0);
    expect(readFileSync(safe, 'utf8')).toBe(
      `sms_id,text,label\nf0,"'=HYPERLINK(""http://evil.example"",""win"")",spam\nf1,'@SUM(A1:A9),spam\nf2,'+1+1,spam\nf3,'-2+3,spam\nf9,plain text,ham\n`,
    );
    expect(exportedRaw.code, exportedRaw.err).toBe(0);
    expect(readFileSync(raw, 'utf8')).toBe(
      'sms_id,text,label\nf0,"=HYPERLINK(""http://evil.example"",""win"")",spam\nf1,@SUM(A1:A9),spam\nf2,+1+1,spam\nf3,-2+3,spam\nf9,plain text,ham\n',
    );
    // --out DIR: what to give instead of the raw EISDIR
    expect(folder.code).toBe(1);
    expect(folder.err).toMatch(/--out: .*export is a folder; give a file name, e\.g\. .*messages\.csv/);
    expect(folder.err).not.toMatch(/EISDIR/);
  });
});

describe.skipIf(!fullDatasetPath())(`seed story on the full dataset${fullDatasetPath() ? '' : ` (skipped: ${SKIP_FULL})`}`, () => {
  it('replays chapters 1-3 of the feature store with the sampler', { timeout: 300_000 }, () => {
    const dir = join(t.dir, 'full');
    const data = fullDatasetPath() as string;
    const ids = ['sms14050', 'sms14051', 'sms14052'];
    const r = batch([
      [['import', data], dir],
      [['offline-sources', '--training-ids', join(data, '..', 'training_sms_ids.txt')], dir],
      [['apply', '--stage', '2019'], dir],
      [['sample', ...ids], dir],
      [['apply', '--stage', '2021'], dir],
      [['materialize', '2009-01-01T00:00:00', '2019-12-31T00:00:00'], dir],
      [['sample', ...ids], dir],
      [['materialize-incremental', '2021-09-02T00:00:00'], dir],
      [['sample', ...ids], dir],
      [['features', 'v2', 'I', 'have', 'a', 'dream'], dir],
    ]);
    expect(r[0].out).toMatch(/imported 7528 messages/);
    expect(r[1].code, r[1].err).toBe(0);
    expect(r[2].out).toMatch(/\+ feature_view sms_features1 added/);
    expect(r[3].out).not.toMatch(/: FOUND/);
    expect(r[4].out).toMatch(/\+ feature_view sms_features2 added/);
    const after1 = r[6].out.split('== labeled_sms_2');
    expect(after1[0].match(/: FOUND/g)).toHaveLength(3);
    expect(after1[1]).not.toMatch(/: FOUND/);
    expect(r[8].out.match(/: FOUND/g)).toHaveLength(6);
    // the seed's v2 features of "I have a dream"
    expect(r[9].out).toMatch(/"features":\[(0,){27}1,20,4\]/);
  });
});
