/**
 * Feedback labels a message the product has, over real HTTP: one in an inbox (of the user named),
 * one in the warehouse, or one whose features v2 were pushed. A made-up id was taken (201), and its
 * label went into the labels view as a row without features.
 */
import { describe, expect, it } from 'vitest';
import { sampleServerForFile } from '../testing/fixtures';
import { OnlineStoreUnavailableError } from '../storage';

const server = sampleServerForFile({ train: false });
const { post } = server;
const labelOnline = async (id: string) => (await server.engines.storage.online.read('sms_labels', [id]))[0]?.values.label;

describe('feedback', () => {
  it('refuses an id no inbox, warehouse or online store has, naming the field, and stores nothing', async () => {
    const before = (await (await fetch(`${server.base}/feedback`)).json()).length;
    for (const id of ['does-not-exist-xyz', ' ', 'a\u0000b']) {
      const r = await post('/feedback', { sms_id: id, true_label: 'spam' });
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: 'not_found', field: 'body.sms_id' });
      expect(r.body.detail).toContain(JSON.stringify(id));
      expect(await labelOnline(id)).toBeUndefined();
    }
    expect((await (await fetch(`${server.base}/feedback`)).json()).length).toBe(before);
  });

  it("takes an inbox message's label from its user, and refuses it from another user", async () => {
    const sent = await post('/sms', { recipient_id: 'otto', sender_id: 'eve', sms_text: 'Lunch at noon?' });
    expect(sent.status).toBe(200);
    const id = sent.body.sms_id as string;
    const other = await post('/feedback', { sms_id: id, true_label: 'ham', user_id: 'fiona' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ field: 'body.user_id' });
    expect(other.body.detail).toBe(`message ${id} is in the inbox of otto, not of fiona`);
    expect((await post('/feedback', { sms_id: id, true_label: 'ham', user_id: 'otto' })).status).toBe(201);
    expect((await post('/feedback', { sms_id: id, true_label: 'ham' })).status).toBe(201);
  });

  it("takes a warehouse message's label, and one of an id whose features v2 were pushed without a message", async () => {
    const w = await post('/feedback', { sms_id: 'sms90001', true_label: 'spam' });
    expect(w.status).toBe(201);
    expect(w.body.label_pushed).toBe(true);
    const features = [Array.from({ length: 30 }, (_, i) => i)];
    await server.engines.features.push('smss2_push', { sms_id: ['pushed-only'], event_timestamp: [new Date().toISOString()], features }, 'online');
    const p = await post('/feedback', { sms_id: 'pushed-only', true_label: 'ham' });
    expect(p.status).toBe(201);
    expect(await labelOnline('pushed-only')).toBe('ham');
  });

  it('says the online store failed (503), not that the message does not exist, when it cannot look', async () => {
    const read = server.engines.features.getOnlineFeatures;
    server.engines.features.getOnlineFeatures = async () => {
      throw new OnlineStoreUnavailableError('the online store (redis://127.0.0.1:6379/0) is not answering', 'redis://127.0.0.1:6379/0');
    };
    try {
      const r = await post('/feedback', { sms_id: 'pushed-elsewhere', true_label: 'ham' });
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('online_store_unavailable');
      // an inbox or warehouse message needs no online lookup
      expect((await post('/feedback', { sms_id: 'sms90001', true_label: 'ham' })).status).toBe(201);
    } finally {
      server.engines.features.getOnlineFeatures = read;
    }
  });
});
