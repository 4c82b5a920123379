/**
 * The Ingestion view with the stream on (a real nats-server): stream state, lag and throughput,
 * a dead letter with its reason and its Retry button; in the Inbox, a message published to the
 * stream with its features present. Skipped, with the reason, without nats-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startHarness, ARTIFACTS, type Harness } from './harness';
import { natsSkipReason, startNats, type NatsServer } from '../src-main/testing/nats';

const skip = natsSkipReason();

describe.skipIf(!!skip)(`the Ingestion view with the stream on${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let h: Harness;
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNats();
    h = await startHarness({
      trainModels: false,
      stream: { servers: [nats.url], subject: 'sms.incoming', changesSubject: 'sms.changes', deadLetterSubject: 'sms.dead', maxDeliver: 3, ackWaitMs: 5000 },
    });
  });
  afterAll(async () => {
    await h?.close();
    await nats?.stop();
  });

  it('shows the stream, dead letters with their reasons, Retry refused for one that can never be stored and working for one that failed; the inbox shows features present', async () => {
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    await js.publish('sms.incoming', JSON.stringify({ recipient_id: 'nina', sender_id: 'bo', sms_text: 'Published to the stream, stored by SpamOps' }), {
      msgID: 'e2e-1',
    });
    await js.publish('sms.incoming', JSON.stringify({ recipient_id: 'nina', sender_id: 'bo' }), { msgID: 'e2e-2' });

    await h.page.goto(`${h.base}/#/serving`);
    const card = h.page.getByTestId('ingestion');
    await card.getByTestId('ingestion-stream').getByText('connected').waitFor();
    // a letter of a message whose deliveries failed while the store was down (as the consumer writes one)
    const failed = headers();
    failed.set('SpamOps-Reason', 'failed 3 deliveries: the store was down');
    failed.set('SpamOps-Origin-Subject', 'sms.incoming');
    failed.set('SpamOps-Deliveries', '3');
    await js.publish('sms.dead', JSON.stringify({ recipient_id: 'nina', sender_id: 'bo', sms_text: 'Stored once the store was back' }), { headers: failed });
    await nc.close();

    const invalid = card.getByTestId('dead-letter').filter({ hasText: 'sms_text: is required' });
    await invalid.waitFor({ timeout: 20_000 });
    const retryInvalid = invalid.getByRole('button', { name: /retry dead letter/ });
    expect(await retryInvalid.isDisabled()).toBe(true);
    expect(await retryInvalid.getAttribute('title')).toBe('It can never be stored as it is: publish a corrected message instead');
    const letter = card.getByTestId('dead-letter').filter({ hasText: 'the store was down' });
    await letter.waitFor({ timeout: 20_000 });
    await h.page.evaluate(() => window.scrollTo(0, 0));
    await card.screenshot({ path: join(ARTIFACTS, 'serving-ingestion.png') });
    await letter.getByRole('button', { name: /retry dead letter/ }).click();
    await card.getByText(/published again to sms\.incoming/).waitFor();

    await h.page.goto(`${h.base}/#/inbox`);
    await h.page.getByLabel('user name').fill('nina');
    await h.page.getByRole('button', { name: 'Open inbox' }).click();
    const msg = h.page.locator('.message', { hasText: 'Published to the stream' });
    await msg.getByTestId('features-status').filter({ hasText: 'features v2 ✓' }).waitFor({ timeout: 20_000 });
    const retried = h.page.locator('.message', { hasText: 'Stored once the store was back' });
    await retried.getByTestId('features-status').filter({ hasText: 'features v2 ✓' }).waitFor({ timeout: 20_000 });
    await h.page.screenshot({ path: join(ARTIFACTS, 'inbox-from-stream.png') });
    expect(h.consoleErrors).toEqual([]);
  });
});
