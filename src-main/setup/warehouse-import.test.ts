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
});
