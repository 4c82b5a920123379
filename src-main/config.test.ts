/** The stream's settings: off unless a URL is given, checked by name, subjects that cannot fight over messages. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, subjectsOverlap } from './config';
import { tempDir } from './testing/fixtures';

const t = tempDir('spamops-config-');
afterAll(() => t.remove());
const load = (env: Record<string, string>, streamUrl?: string) => loadConfig({ dataDir: t.dir, streamUrl }, env);

describe('stream settings', () => {
  it('are off without SPAMOPS_STREAM_URL (the embedded default), with defaults once it is set', () => {
    expect(load({}).stream).toBeUndefined();
    expect(load({ SPAMOPS_STREAM_URL: '' }).stream).toBeUndefined();
    expect(load({ SPAMOPS_STREAM_URL: 'nats://127.0.0.1:4222' }).stream).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      subject: 'sms.incoming',
      changesSubject: 'sms.changes',
      deadLetterSubject: 'sms.dead',
      maxDeliver: 5,
      ackWaitMs: 10_000,
      takeOver: false,
    });
  });

  it('take the flag over the environment, a cluster of servers, and subjects of your own', () => {
    const s = load(
      { SPAMOPS_STREAM_URL: 'nats://a:1', SPAMOPS_STREAM_SUBJECT: 'inbox.*.new', SPAMOPS_STREAM_MAX_DELIVER: '7', SPAMOPS_STREAM_ACK_WAIT_MS: '2000' },
      'nats://n1:4222, nats://n2:4222,user:pw@n3:4222',
    ).stream!;
    expect(s.servers).toEqual(['nats://n1:4222', 'nats://n2:4222', 'user:pw@n3:4222']);
    expect(s).toMatchObject({ subject: 'inbox.*.new', maxDeliver: 7, ackWaitMs: 2000 });
  });

  it('refuse what cannot work, naming the setting and what was expected', () => {
    expect(() => load({ SPAMOPS_STREAM_URL: 'http://x/y' })).toThrow(/SPAMOPS_STREAM_URL: expected nats:\/\/host:port .* got "http:\/\/x\/y"/);
    expect(() => load({}, 'nats://ok:1,not a url')).toThrow(/--stream: expected nats:\/\/host:port/);
    expect(() => load({ SPAMOPS_STREAM_URL: 'nats://a:1', SPAMOPS_STREAM_SUBJECT: 'sms incoming' })).toThrow(/SPAMOPS_STREAM_SUBJECT: expected a NATS subject/);
    expect(() => load({ SPAMOPS_STREAM_URL: 'nats://a:1', SPAMOPS_STREAM_CHANGES_SUBJECT: 'sms.*' })).toThrow(/SPAMOPS_STREAM_CHANGES_SUBJECT: .*no wildcards/);
    expect(() => load({ SPAMOPS_STREAM_URL: 'nats://a:1', SPAMOPS_STREAM_SUBJECT: 'sms.>' })).toThrow(
      /SPAMOPS_STREAM_SUBJECT "sms\.>" and SPAMOPS_STREAM_CHANGES_SUBJECT "sms\.changes" overlap/,
    );
    expect(() => load({ SPAMOPS_STREAM_URL: 'nats://a:1', SPAMOPS_STREAM_MAX_DELIVER: '0' })).toThrow(
      /SPAMOPS_STREAM_MAX_DELIVER: expected an integer from 1 to 100, got "0"/,
    );
  });

  it('tell overlapping subjects apart', () => {
    expect(subjectsOverlap('sms.incoming', 'sms.changes')).toBe(false);
    expect(subjectsOverlap('sms.*', 'sms.dead')).toBe(true);
    expect(subjectsOverlap('sms.>', 'sms')).toBe(false);
    expect(subjectsOverlap('sms.>', 'sms.a.b')).toBe(true);
    expect(subjectsOverlap('a.*.c', 'a.b.d')).toBe(false);
  });
});
