import { describe, expect, it } from 'vitest';
import { nextSmsNumber } from './numbering';

async function* batches(...b: string[][]) {
  yield* b;
}

describe('nextSmsNumber', () => {
  it('starts a UCI SMS file at sms10001 in a warehouse without such ids', async () => {
    expect(await nextSmsNumber(batches())).toBe(10001);
    expect(await nextSmsNumber(batches(['yt_abc', 'u1', 'sms12x', 'SMS99999']))).toBe(10001);
    expect(await nextSmsNumber(batches(['sms5', 'sms9000']))).toBe(10001);
  });

  it('goes on after the highest sms<n> of every batch', async () => {
    expect(await nextSmsNumber(batches(['sms10001', 'sms15574'], ['sms90240', 'sms12000']))).toBe(90241);
    // numbers past --id-start's range are not continued (they would lose precision)
    expect(await nextSmsNumber(batches(['sms15574', 'sms99999999999999', `sms${'9'.repeat(40)}`]))).toBe(15575);
  });
});
