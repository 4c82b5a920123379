import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { testEngines } from '../testing/fixtures';
import { readDataset } from '../dataset';
import { importBatches } from './warehouse-import';

describe('importing into the warehouse', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
  });
  afterAll(async () => cleanup?.());

  // 2,500 good rows in batches of 1,000, then a line that is not a message
  async function* file(): AsyncGenerator<Buffer> {
    yield Buffer.from('sms_id,text,label\n');
    for (let i = 0; i < 2500; i++) yield Buffer.from(`w${i},hello ${i},${i % 5 ? 'ham' : 'spam'}\n`);
    yield Buffer.alloc(2 << 20, 0x62);
  }

  it('says, when a file fails part way, how many messages before the failure are kept, and a second import adds none twice', async () => {
    const before = await e.storage.labelled.count();
    const run = () => importBatches(e, readDataset(file(), 'part.csv', { origin: 'part.csv', batchSize: 1000 }), { file: 'part.csv' });
    await expect(run()).rejects.toThrow(/part\.csv: line 2502 runs past .*; the 2,000 messages before it were imported and are kept/);
    expect((await e.storage.labelled.count()) - before).toBe(2000);
    const again = await run().catch((err: Error) => err.message);
    expect(again).not.toMatch(/were imported and are kept/); // nothing new: ids are never overwritten
    expect((await e.storage.labelled.count()) - before).toBe(2000);
  });

  const lines = (text: string) =>
    (async function* () {
      yield Buffer.from(text);
    })();

  it('a UCI SMS file (no ids) whose numbers a seed CSV holds gets ids after the highest: nothing read is lost as a "duplicate"', async () => {
    // a seed CSV's messages under the numbers the UCI numbering starts at
    await e.storage.labelled.insertMany([
      { sms_id: 'sms10001', text: 'Go until jurong point', label: 'ham', origin: 'seed.csv' },
      { sms_id: 'sms10002', text: 'Ok lar... Joking', label: 'ham', origin: 'seed.csv' },
      { sms_id: 'sms10007', text: 'Free entry in 2 a wkly comp', label: 'spam', origin: 'seed.csv' },
    ]);
    const uci = readDataset(lines('ham\tGo until jurong point\nham\tHello tsv\nspam\tWIN tsv now\n'), 't.tsv', {
      origin: 't.tsv',
      format: 'uci-sms-tsv',
      idStart: 10001,
    });
    const r = await importBatches(e, uci, { file: 't.tsv' });
    // the first line is the message sms10001 holds (the seed story's numbering); the others are new messages
    // (line 2's sms10002 is held: it goes after the highest, sms10007; line 3's sms10003 is free)
    expect(r).toMatchObject({ read: 3, inserted: 2, duplicates: 1, conflicts: 0, renumbered: 1 });
    const [a, b] = await e.storage.labelled.get(['sms10008', 'sms10003']);
    expect([a?.text, b?.text]).toEqual(['Hello tsv', 'WIN tsv now']);
    expect((await e.storage.labelled.get(['sms10002']))[0]?.text).toBe('Ok lar... Joking');
  });

  it('a row whose id holds another text or label is reported as not imported, apart from the duplicates of the same message', async () => {
    const csv = readDataset(
      lines('sms_id,text,label\nsms10001,Go until jurong point,ham\nsms10002,Ok lar... Joking,spam\nsms10007,Something else,spam\n'),
      'c.csv',
      {
        origin: 'c.csv',
      },
    );
    const r = await importBatches(e, csv, { file: 'c.csv' });
    expect(r).toMatchObject({
      read: 3,
      inserted: 0,
      duplicates: 1,
      duplicateIds: ['sms10001'],
      conflicts: 2,
      conflictIds: ['sms10002', 'sms10007'],
      renumbered: 0,
    });
    expect((await e.storage.labelled.get(['sms10002']))[0]?.label).toBe('ham');
  });
});
