import { describe, expect, it } from 'vitest';
import { nextSmsNumber } from './numbering';

const TSV = 'inbox.tsv (uci-sms-tsv)';
async function* batches(...b: [string, string][][]) {
  for (const x of b) yield x.map(([sms_id, origin]) => ({ sms_id, origin }));
}

describe('nextSmsNumber', () => {
  it('starts a UCI SMS file at sms10001 in a warehouse without UCI SMS messages', async () => {
    expect(await nextSmsNumber(batches())).toBe(10001);
    expect(
      await nextSmsNumber(
        batches([
          ['yt_abc', 'x (uci-youtube-csv)'],
          ['sms12x', TSV],
          ['SMS99999', TSV],
        ]),
      ),
    ).toBe(10001);
    expect(
      await nextSmsNumber(
        batches([
          ['sms5', TSV],
          ['sms9000', TSV],
        ]),
      ),
    ).toBe(10001);
    // the sample (sms90001…, a seed CSV) does not move the public collection off the seed's ids
    expect(await nextSmsNumber(batches([['sms90240', 'sample_dataset.csv (seed-csv)']]))).toBe(10001);
  });

  it('goes on after the highest sms<n> an earlier UCI SMS import gave', async () => {
    expect(
      await nextSmsNumber(
        batches(
          [
            ['sms10001', 'sms+spam+collection.zip/SMSSpamCollection'],
            ['sms15574', 'sms+spam+collection.zip/SMSSpamCollection'],
          ],
          [
            ['sms90240', 'sample_dataset.csv (seed-csv)'],
            ['sms15580', TSV],
          ],
        ),
      ),
    ).toBe(15581);
    // numbers past --id-start's range are not continued (they would lose precision)
    expect(
      await nextSmsNumber(
        batches([
          ['sms15574', TSV],
          ['sms99999999999999', TSV],
          [`sms${'9'.repeat(40)}`, TSV],
        ]),
      ),
    ).toBe(15575);
  });
});
