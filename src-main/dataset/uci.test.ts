/**
 * `spamops import --uci`: the UCI archives fetched from a loopback mirror that the test builds
 * (this machine has no internet: the test serves zips of its own over HTTP), checked, and read
 * with the seed story's ids. With the full dataset present, archives rebuilt from it import its
 * 7,528 messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import yazl from 'yazl';
import { appRoot } from '../config';
import { fullDatasetPath, tempDir } from '../testing/fixtures';
import { parseDataset } from './import';
import { UCI_ARCHIVES } from './uci';

const t = tempDir('spamops-uci-');
let server: http.Server;
let mirror: string;
const files = new Map<string, Buffer>();

function zip(entries: [string, string | Buffer][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of entries) z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const youtubeCsv = (rows: [string, string, number][]) =>
  `COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n${rows.map(([id, text, c]) => `${id},someone,2014-01-01,"${text.replace(/"/g, '""')}",${c}`).join('\n')}\n`;

async function smallArchives(): Promise<{ sms: Buffer; youtube: Buffer }> {
  const sms = await zip([
    ['readme', 'the SMS Spam Collection v.1'],
    ['SMSSpamCollection', 'ham\tGo until jurong point\nspam\tWINNER!! claim your prize\nham\tOk lar...\n'],
  ]);
  const youtube = await zip([
    ['__MACOSX/._Youtube01-Psy.csv', 'resource fork'],
    ...UCI_ARCHIVES.youtube.entries.map((name, k): [string, string] => [
      `Youtube-Spam-Collection-v1/${name}`,
      youtubeCsv([
        [`c${k}a`, `check out my channel ${k}`, 1],
        [`c${k}b`, `great song ${k}`, 0],
      ]),
    ]),
  ]);
  return { sms, youtube };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const f = files.get((req.url ?? '').replace(/^\/uci\//, ''));
    if (!f) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': f.length }).end(f);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/uci`;
});
afterAll(() => {
  server.close();
  t.remove();
});

/** the CLI as a child process, without blocking this process (it serves the mirror) */
function spamops(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith('SPAMOPS_')) delete clean[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(appRoot(), 'bin', 'spamops.mjs'), ...args], { env: { ...clean, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('import --uci from a mirror', () => {
  it('downloads both archives, checks them and imports the SMS from sms10001 and the comments after them', async () => {
    const a = await smallArchives();
    files.set(UCI_ARCHIVES.sms.file, a.sms);
    files.set(UCI_ARCHIVES.youtube.file, a.youtube);
    const dir = join(t.dir, 'all');
    const r = await spamops(['import', '--uci', 'all', '--data-dir', dir], { SPAMOPS_UCI_MIRROR: mirror });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/imported 13 messages \(UCI SMS Spam Collection \+ UCI YouTube Spam Collection: 7 ham, 6 spam read\)/);
    expect(r.err).toMatch(/UCI SMS Spam Collection: 3 messages read \(UCI's archive holds 5574\)/);
    expect(r.err).toMatch(/Youtube05-Shakira\.csv 2/);
    const { openEngines } = await import('../engines');
    const { testConfig } = await import('../testing/fixtures');
    const e = await openEngines(testConfig(dir));
    const ids = (await e.storage.labelled.all()).map((m) => m.sms_id);
    await e.close();
    expect(ids.slice(0, 4)).toEqual(['sms10001', 'sms10002', 'sms10003', 'sms15575']);
    expect(ids.at(-1)).toBe('sms15584');
    // again: nothing is overwritten
    expect((await spamops(['import', '--uci', 'sms', '--data-dir', dir], { SPAMOPS_UCI_MIRROR: mirror })).out).toMatch(
      /imported 0 messages .* 3 duplicates kept as they were/,
    );
  });

  it('fails at once when the host cannot be reached, naming the URLs and the --archive way', async () => {
    // a port nobody listens on
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const t0 = Date.now();
    const r = await spamops(['import', '--uci', 'all', '--data-dir', join(t.dir, 'offline')], { SPAMOPS_UCI_MIRROR: `http://127.0.0.1:${port}/nowhere` });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot download http://127.0.0.1:${port}/nowhere/sms+spam+collection.zip (ECONNREFUSED)`);
    expect(r.err).toMatch(/--archive/);
    expect(r.err).not.toMatch(/\.\.\/shared/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('takes archives downloaded by hand, and refuses a corrupt, a truncated or a wrong one by name', async () => {
    const a = await smallArchives();
    const good = join(t.dir, 'sms.zip');
    writeFileSync(good, a.sms);
    expect((await spamops(['import', '--uci', 'sms', '--archive', good, '--data-dir', join(t.dir, 'hand')])).out).toMatch(/imported 3 messages/);
    // the same archive given as the file, as the console's Data pane takes it
    expect((await spamops(['import', good, '--data-dir', join(t.dir, 'as-file')])).out).toMatch(/imported 3 messages \(UCI SMS Spam Collection/);
    // a decompression bomb: one line of 64 MiB in 64 KB of zip stops at the line limit, named
    writeFileSync(
      join(t.dir, 'bomb.zip'),
      await zip([
        ['SMSSpamCollection', Buffer.alloc(64 << 20, 0x61)],
        ['readme', 'x'],
      ]),
    );
    const bomb = await spamops(['import', join(t.dir, 'bomb.zip'), '--data-dir', join(t.dir, 'bomb')]);
    expect(bomb.code).toBe(1);
    expect(bomb.err).toMatch(/SMSSpamCollection: line 1 runs past 1,048,576 characters without a line break/);
    // one byte of the TSV changed (stored uncompressed by yazl? no: deflated; flip a byte of the data area)
    const corrupt = Buffer.from(a.sms);
    const at = corrupt.indexOf(Buffer.from('SMSSpamCollection')) + 'SMSSpamCollection'.length + 2;
    corrupt[at] ^= 0xff;
    writeFileSync(join(t.dir, 'corrupt.zip'), corrupt);
    const c = await spamops(['import', '--uci', 'sms', '--archive', join(t.dir, 'corrupt.zip'), '--data-dir', join(t.dir, 'c')]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/corrupt|invalid|not a readable zip/);
    writeFileSync(join(t.dir, 'short.zip'), a.sms.subarray(0, a.sms.length - 40));
    expect((await spamops(['import', '--uci', 'sms', '--archive', join(t.dir, 'short.zip'), '--data-dir', join(t.dir, 's')])).err).toMatch(
      /short\.zip is not a readable zip archive/,
    );
    writeFileSync(join(t.dir, 'other.zip'), await zip([['notes.txt', 'hello']]));
    expect((await spamops(['import', '--uci', 'sms', '--archive', join(t.dir, 'other.zip'), '--data-dir', join(t.dir, 'o')])).err).toMatch(
      /other\.zip holds neither UCI collection: expected SMSSpamCollection/,
    );
  });
});

describe('reading an archive', () => {
  it('numbers the comments in file order across files, a bad row taking its number too: no two messages share an id', async () => {
    const { readArchive } = await import('./uci');
    const youtube = await zip(
      UCI_ARCHIVES.youtube.entries.map((name, k): [string, string] => [
        name,
        youtubeCsv([
          [`c${k}a`, `check out my channel ${k}`, 1],
          ...(k === 0
            ? ([
                [`c${k}bad`, '', 1],
                [`c${k}odd`, 'a label of 7', 7],
              ] as [string, string, number][])
            : []),
          [`c${k}b`, `great song ${k}`, 0],
        ]),
      ]),
    );
    const path = join(t.dir, 'yt-bad-rows.zip');
    writeFileSync(path, youtube);
    const rows: { sms_id: string; text: string }[] = [];
    const problems: string[] = [];
    for await (const b of readArchive(path, UCI_ARCHIVES.youtube)) {
      rows.push(...b.rows);
      problems.push(...b.problems.map((p) => p.reason));
    }
    expect(problems).toEqual(['empty text', 'unknown label "7" (expected spam or ham)']);
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.sms_id)).size).toBe(10);
    const start = UCI_ARCHIVES.youtube.idStart;
    expect(rows.slice(0, 3).map((r) => [r.sms_id, r.text])).toEqual([
      [`sms${start}`, 'check out my channel 0'],
      [`sms${start + 3}`, 'great song 0'],
      [`sms${start + 4}`, 'check out my channel 1'],
    ]);
  });
});

describe.skipIf(!fullDatasetPath())('import --uci all of the public data', () => {
  it("imports the 7,528 messages of archives rebuilt from the full dataset, SMS with the seed story's ids", async () => {
    const rows = parseDataset(readFileSync(fullDatasetPath()!, 'utf8'), 'full').rows;
    const sms = rows.filter((r) => Number(r.sms_id.slice(3)) <= 15572);
    const yt = rows.filter((r) => Number(r.sms_id.slice(3)) > 15572);
    // the seed merged two pairs of lines; here each message is one TSV line (line breaks as spaces)
    const tsv = sms.map((r) => `${r.label}\t${r.text.replace(/\r?\n/g, ' ')}`).join('\n');
    const per = Math.ceil(yt.length / 5);
    const ytFiles = UCI_ARCHIVES.youtube.entries.map((name, k): [string, string] => [
      name,
      youtubeCsv(yt.slice(k * per, (k + 1) * per).map((r, i) => [`c${k}-${i}`, r.text, r.label === 'spam' ? 1 : 0])),
    ]);
    files.set(UCI_ARCHIVES.sms.file, await zip([['SMSSpamCollection', tsv]]));
    files.set(UCI_ARCHIVES.youtube.file, await zip(ytFiles));
    const r = await spamops(['import', '--uci', 'all', '--data-dir', join(t.dir, 'full')], { SPAMOPS_UCI_MIRROR: mirror });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/imported 7528 messages \(.*: 5776 ham, 1752 spam read\)/);
  });
});
