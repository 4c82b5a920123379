/**
 * Numbering of the messages of a UCI SMS file, which carries no ids: `sms<n>` from 10001 (the
 * seed's numbering of the collection), or on from the highest `sms<n>` already stored, so a
 * second file does not reuse the first one's ids (its rows would all be refused as existing).
 */
export const UCI_SMS_FIRST_ID = 10001;
/** the largest number --id-start takes: ids past it are not ours to continue */
export const MAX_ID_NUMBER = 1e12;

/** the first free number after every `sms<n>` id among `ids`, at least UCI_SMS_FIRST_ID */
export async function nextSmsNumber(ids: AsyncIterable<string[]>): Promise<number> {
  let next = UCI_SMS_FIRST_ID;
  for await (const batch of ids)
    for (const id of batch) {
      const m = /^sms(\d{1,13})$/.exec(id);
      if (!m) continue;
      const n = Number(m[1]);
      if (n < MAX_ID_NUMBER && n + 1 > next) next = n + 1;
    }
  return next;
}
