/**
 * Numbering of the messages of a UCI SMS file, which carries no ids: `sms<n>` from 10001 (the
 * seed's numbering of the collection), or on from the highest `sms<n>` an earlier UCI SMS import
 * gave, so a second file does not reuse the first one's ids (its rows would all be refused as
 * existing). Only UCI SMS messages count: the sample's `sms90001…` or a seed CSV's own ids must
 * not push the public collection off the ids the seed story names (sms10001…).
 */
import type { LabelledMessage } from '../storage';

export const UCI_SMS_FIRST_ID = 10001;
/** the largest number --id-start takes: ids past it are not ours to continue */
export const MAX_ID_NUMBER = 1e12;

/** an origin of a UCI SMS message: a TSV read as `uci-sms-tsv`, or the collection's file in its archive */
const UCI_SMS_ORIGIN = /\(uci-sms-tsv\)$|\/SMSSpamCollection$/;

/** the first free number after every `sms<n>` id of a UCI SMS message among `messages`, at least UCI_SMS_FIRST_ID */
export async function nextSmsNumber(messages: AsyncIterable<Pick<LabelledMessage, 'sms_id' | 'origin'>[]>): Promise<number> {
  let next = UCI_SMS_FIRST_ID;
  for await (const batch of messages)
    for (const { sms_id, origin } of batch) {
      if (!UCI_SMS_ORIGIN.test(origin)) continue;
      const m = /^sms(\d{1,13})$/.exec(sms_id);
      if (!m) continue;
      const n = Number(m[1]);
      if (n < MAX_ID_NUMBER && n + 1 > next) next = n + 1;
    }
  return next;
}
