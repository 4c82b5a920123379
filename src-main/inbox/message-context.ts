/**
 * The message behind an entity id, shown beside its online features: its text, user and date. A
 * message of an inbox (its sms_id a TimeUUID, held by one user) has all three; a message of the
 * warehouse (an imported file) has its text and label but no user, and a date only when its id is
 * a TimeUUID. Each field left empty says why, so a missing value is never a silent gap.
 */
import type { MessageContext } from '../../src-shared/featurestore';
import type { LabelledMessageStore, UserDataStore } from '../storage';
import { isTimeUuid, timeOfTimeUuid } from '../platform';

export interface MessageContextStores {
  users: Pick<UserDataStore, 'findBySmsId'>;
  labelled: Pick<LabelledMessageStore, 'get'>;
}

/** one answer per id, in order */
export async function messageContexts(stores: MessageContextStores, ids: string[]): Promise<MessageContext[]> {
  const [inbox, warehouse] = await Promise.all([stores.users.findBySmsId(ids), stores.labelled.get(ids)]);
  return ids.map((id, i) => {
    const m = inbox[i];
    const w = warehouse[i];
    const dated = isTimeUuid(id);
    const reasons: MessageContext['reasons'] = {};
    const nowhere = 'no message with this id in any inbox or in the warehouse (its features were pushed without one)';
    if (!m && !w) reasons.text = nowhere;
    if (!m) reasons.user_id = w ? `an imported message (${w.origin}): the warehouse keeps no user` : nowhere;
    if (!dated)
      reasons.sent_at = w
        ? `an imported message (${w.origin}) whose id is no TimeUUID: the warehouse keeps no send date`
        : 'the id is no TimeUUID, and no stored message gives a date';
    return {
      sms_id: id,
      found_in: [...(m ? ['inbox' as const] : []), ...(w ? ['warehouse' as const] : [])],
      text: m?.sms_text ?? w?.text ?? null,
      user_id: m?.user_id ?? null,
      sender_id: m?.sender_id ?? null,
      sent_at: dated ? timeOfTimeUuid(id).toISOString() : null,
      label: w?.label ?? null,
      origin: w?.origin ?? null,
      reasons,
    };
  });
}
