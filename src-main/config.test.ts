/** The stream's settings: off unless a URL is given, checked by name, subjects that cannot fight over messages. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, subjectsOverlap } from './config';
import { tempDir } from './testing/fixtures';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

describe('settings read at the edge and handed down', () => {
  it('reads the engines’ settings from the environment once, checked by name', () => {
    const c = load({
      SPAM_MODEL_VERSIONS: 'v1,tc-01',
      SPAMOPS_INBOX_MODEL: 'v2',
      SPAMOPS_ALERT_WEBHOOK: 'http://127.0.0.1:9/hook',
      SPAMOPS_RETRAIN_ON_ALERT: '1',
      SPAMOPS_RETRAIN_EVERY_HOURS: '6',
      SPAMOPS_TRAIN_THREADS: '2',
      SPAMOPS_UCI_MIRROR: 'http://127.0.0.1:9/uci',
      SPAMOPS_ONLINE_STORE: 'redis://127.0.0.1:6379/2',
    });
    expect(c.servedModels).toBe('v1,tc-01');
    expect(c.inboxModel).toBe('v2');
    expect(c.monitoring).toEqual({ webhookUrl: 'http://127.0.0.1:9/hook', retrainOnAlert: true, retrainEveryHours: 6 });
    expect(c.training).toEqual({ threads: 2, recurrentDropout: false });
    expect(c.uciMirror).toBe('http://127.0.0.1:9/uci');
    expect(c.storage.online).toEqual({ backend: 'redis', url: 'redis://127.0.0.1:6379/2', prefix: undefined });
    expect(load({}).training.threads).toBeUndefined();
    expect(load({}).inboxModel).toBe('v3');
  });
  it('refuses what cannot work, naming the setting', () => {
    expect(() => load({ SPAMOPS_TRAIN_THREADS: 'many' })).toThrow(/SPAMOPS_TRAIN_THREADS: expected an integer from 1 to 64, got "many"/);
    expect(() => load({ SPAMOPS_RETRAIN_EVERY_HOURS: '-1' })).toThrow(/SPAMOPS_RETRAIN_EVERY_HOURS: expected a number from 0/);
    expect(() => load({ SPAMOPS_ONLINE_STORE: 'http://x' })).toThrow(/SPAMOPS_ONLINE_STORE: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => load({ SPAMOPS_ONLINE_STORE: 'redis://x/abc' })).toThrow(/the path names the database number/);
  });
});

describe("serving's micro-batches", () => {
  const withFile = (file: object, env: Record<string, string> = {}) => {
    const dir = join(t.dir, `batching-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(file));
    return loadConfig({ dataDir: dir }, env).batching;
  };

  it('gather for 1 ms and 8 rows on a helper thread unless the environment or config.json says otherwise (the environment first)', () => {
    expect(load({}).batching).toEqual({ maxWaitMs: 1, maxBatch: 8, offThread: true });
    expect(load({ SPAMOPS_BATCH_WAIT_MS: '0.5', SPAMOPS_BATCH_SIZE: '1' }).batching).toEqual({ maxWaitMs: 0.5, maxBatch: 1, offThread: true });
    expect(withFile({ batching: { maxWaitMs: 2, maxBatch: 64, offThread: false } })).toEqual({ maxWaitMs: 2, maxBatch: 64, offThread: false });
    expect(withFile({ batching: { maxWaitMs: 2, maxBatch: 64, offThread: false } }, { SPAMOPS_BATCH_SIZE: '8', SPAMOPS_BATCH_THREAD: '1' })).toEqual({
      maxWaitMs: 2,
      maxBatch: 8,
      offThread: true,
    });
    expect(load({ SPAMOPS_BATCH_THREAD: '0' }).batching.offThread).toBe(false);
  });

  it('refuses what cannot work, naming the setting and the bounds', () => {
    expect(() => load({ SPAMOPS_BATCH_SIZE: '0' })).toThrow(/SPAMOPS_BATCH_SIZE: expected an integer from 1 to 256, got "0"/);
    expect(() => load({ SPAMOPS_BATCH_SIZE: '2.5' })).toThrow(/SPAMOPS_BATCH_SIZE: expected an integer/);
    expect(() => load({ SPAMOPS_BATCH_WAIT_MS: 'soon' })).toThrow(/SPAMOPS_BATCH_WAIT_MS: expected a number from 0 to 50, got "soon"/);
    expect(() => withFile({ batching: { maxWaitMs: 500 } })).toThrow(/config.json batching.maxWaitMs: expected a number from 0 to 50, got "500"/);
    expect(() => withFile({ batching: { maxBatch: null } })).toThrow(/config.json batching.maxBatch: expected an integer from 1 to 256, got null/);
    expect(() => load({ SPAMOPS_BATCH_THREAD: 'yes' })).toThrow(/SPAMOPS_BATCH_THREAD: expected 0 or 1, got "yes"/);
    expect(() => withFile({ batching: { offThread: 'no' } })).toThrow(/config.json batching.offThread: expected true or false, got "no"/);
  });
});

describe('storage per concern', () => {
  let n = 0;
  /** a data dir of its own with this config.json */
  const withFile = (file: object | undefined, env: Record<string, string> = {}, o: { storage?: 'sqlite' | 'cassandra' } = {}) => {
    const dir = join(t.dir, `storage-${n++}`);
    mkdirSync(dir, { recursive: true });
    if (file) writeFileSync(join(dir, 'config.json'), JSON.stringify(file));
    return loadConfig({ dataDir: dir, ...o }, env).storage;
  };

  it('serves every concern from SQLite in the data dir when nothing is named', () => {
    const s = withFile(undefined);
    expect(s).toEqual({ backend: 'sqlite', path: expect.stringMatching(/storage-\d+\/spamops\.sqlite$/) });
  });

  it('names a backend per concern in config.json; one naming the default changes nothing', () => {
    const s = withFile({ storage: { default: 'sqlite', online: 'redis://127.0.0.1:6379/0', runs: 'sqlite' } });
    expect(s.backend).toBe('sqlite');
    expect(s.online).toEqual({ backend: 'redis', url: 'redis://127.0.0.1:6379/0', prefix: undefined });
    expect(s.stores).toBeUndefined();
    const c = withFile({ storage: { default: 'cassandra', keyspace: 'ks1', runs: 'sqlite', models: 'sqlite' } });
    expect(c).toMatchObject({ backend: 'cassandra', keyspace: 'ks1' });
    expect(c.stores?.runs).toEqual({ backend: 'sqlite', path: expect.stringMatching(/spamops\.sqlite$/) });
    expect(c.stores?.models).toEqual(c.stores?.runs);
    expect(c.stores?.users).toBeUndefined();
    // the old spellings still work: storage.backend, onlineStore.url
    expect(withFile({ storage: { backend: 'cassandra' }, onlineStore: { url: 'redis://h:1/3', prefix: 'p:' } })).toMatchObject({
      backend: 'cassandra',
      online: { backend: 'redis', url: 'redis://h:1/3', prefix: 'p:' },
    });
  });

  it('takes the environment over config.json, key by key (and --storage over both)', () => {
    const file = { storage: { default: 'sqlite', online: 'redis://file:6379/0', runs: 'cassandra' } };
    const s = withFile(file, { SPAMOPS_ONLINE_STORE: 'redis://env:6379/1' });
    expect(s.online).toMatchObject({ url: 'redis://env:6379/1' });
    expect(s.stores?.runs).toMatchObject({ backend: 'cassandra' });
    // the variable names the default backend: the online store back with the other stores
    expect(withFile(file, { SPAMOPS_ONLINE_STORE: 'sqlite', SPAMOPS_STORAGE_RUNS: 'sqlite' })).toEqual({ backend: 'sqlite', path: expect.any(String) });
    expect(withFile(file, { SPAMOPS_STORAGE: 'cassandra' }).backend).toBe('cassandra');
    expect(withFile(file, { SPAMOPS_STORAGE: 'cassandra' }, { storage: 'sqlite' }).backend).toBe('sqlite');
    // storage.online over the older onlineStore.url
    expect(withFile({ storage: { online: 'redis://new:1/0' }, onlineStore: { url: 'redis://old:1/0' } }).online).toMatchObject({ url: 'redis://new:1/0' });
  });

  it('refuses an unknown backend, or one that cannot serve the concern, naming the key', () => {
    expect(() => withFile({ storage: { runs: 'mongo' } })).toThrow(
      /config\.json storage\.runs: unknown storage backend "mongo": expected one of sqlite, cassandra, redis/,
    );
    expect(() => withFile(undefined, { SPAMOPS_STORAGE_RUNS: 'redis://127.0.0.1:6379/0' })).toThrow(
      /SPAMOPS_STORAGE_RUNS: the redis backend cannot serve the runs store \(it serves: online\)/,
    );
    expect(() => withFile({ storage: { models: 'redis' } })).toThrow(/config\.json storage\.models: the redis backend cannot serve the models store/);
    expect(() => withFile(undefined, { SPAMOPS_ONLINE_STORE: 'redis' })).toThrow(/SPAMOPS_ONLINE_STORE: the redis backend is named by its URL/);
    expect(() => withFile({ storage: { online: { url: 'redis://x:1/0' } } })).toThrow(/config\.json storage\.online: expected a backend name/);
    expect(() => withFile({ storage: { default: 'redis' } })).toThrow(/config\.json storage\.default: expected "sqlite" or "cassandra"/);
    expect(() => withFile(undefined, { SPAMOPS_STORAGE: 'mongo' })).toThrow(/SPAMOPS_STORAGE: expected "sqlite" or "cassandra"/);
    expect(() => withFile({ storage: { default: 'sqlite', backend: 'cassandra' } })).toThrow(
      /storage\.default "sqlite" and storage\.backend "cassandra" disagree/,
    );
  });
});

describe("the server's settings", () => {
  let n = 0;
  const withFile = (file: object, env: Record<string, string> = {}) => {
    const dir = join(t.dir, `server-${n++}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(file));
    return loadConfig({ dataDir: dir }, env).server;
  };

  it('refuses what cannot work, naming the setting where it came from and the value', () => {
    // Fastify's own option name ("'bodyLimit' option must be an integer > 0") named no setting of ours
    expect(() => withFile({ server: { bodyLimitBytes: 'big' } })).toThrow(
      /server\.bodyLimitBytes in config\.json: expected an integer from 1 to \d+, got "big"/,
    );
    expect(() => withFile({ server: { maxConnections: 0 } })).toThrow(/server\.maxConnections in config\.json: expected an integer from 1/);
    // "port: ... got NaN" named neither the variable nor the value
    expect(() => load({ SPAMOPS_PORT: 'abc' })).toThrow(/SPAMOPS_PORT: expected an integer from 0 to 65535, got "abc"/);
    expect(() => withFile({ server: { port: 70000 } })).toThrow(/server\.port in config\.json: expected an integer from 0 to 65535, got "70000"/);
    expect(() => load({ SPAMOPS_CORS_ORIGINS: 'not a url' })).toThrow(/SPAMOPS_CORS_ORIGINS: "not a url" is not a browser origin/);
    expect(() => withFile({ server: { corsOrigins: ['http://x.test/path'] } })).toThrow(
      /server\.corsOrigins in config\.json: "http:\/\/x\.test\/path" is not a browser origin/,
    );
  });

  it('refuses a key config.json does not have, naming it (a misspelt one was ignored)', () => {
    expect(() => withFile({ server: { bodyLimitByte: 5 } })).toThrow(/unknown setting "server\.bodyLimitByte"; known: server\.host, server\.port/);
    expect(() => withFile({ modelDir: 'm' })).toThrow(/unknown setting "modelDir"; known: batching, datasetPath, modelsDir/);
    expect(() => withFile([] as unknown as object)).toThrow(/expected a JSON object of settings/);
  });

  it('refuses a value of the wrong type, naming its key (a token {"a":1} was matched by "Bearer [object Object]")', () => {
    expect(() => withFile({ server: { token: { a: 1 } } })).toThrow(/config\.json: server\.token: expected a non-empty string, got \{"a":1\}/);
    expect(() => withFile({ server: { token: 123 } })).toThrow(/server\.token: expected a non-empty string, got 123/);
    // a token one could guess: refused, naming where it came from
    expect(() => load({ SPAMOPS_TOKEN: 'x' })).toThrow(/SPAMOPS_TOKEN: expected a token of at least 16 characters without spaces .* got 1 characters/);
    expect(() => withFile({ server: { token: 'short' } })).toThrow(/server\.token in config\.json: expected a token of at least 16/);
    expect(load({ SPAMOPS_TOKEN: 'a-long-enough-token-0123' }).server.token).toBe('a-long-enough-token-0123');
    expect(() => withFile({ server: { host: 5 } })).toThrow(/server\.host: expected a non-empty string, got 5/);
    expect(() => withFile({ modelsDir: 42 })).toThrow(/modelsDir: expected a non-empty string, got 42/);
    expect(() => withFile({ server: { corsOrigins: 'http://x' } })).toThrow(/server\.corsOrigins: expected a list of strings/);
    expect(() => withFile({ server: 'x' })).toThrow(/server: expected an object of settings, got "x"/);
    expect(() => withFile({ offlineEngine: { memoryLimit: '-1' } })).toThrow(/^offlineEngine\.memoryLimit in config\.json: expected a size/);
    // numbers as people write them: Number() took hex and spaces
    expect(() => load({ SPAMOPS_PORT: '0x20D3' })).toThrow(/SPAMOPS_PORT: expected an integer from 0 to 65535, got "0x20D3"/);
    expect(() => load({ SPAMOPS_PORT: ' 8403' })).toThrow(/SPAMOPS_PORT: expected an integer/);
  });

  it('takes good values, an origin with a trailing slash as the origin', () => {
    const s = withFile({ server: { bodyLimitBytes: 2048, port: 8123, corsOrigins: ['http://localhost:5173/'] } });
    expect(s).toMatchObject({ bodyLimitBytes: 2048, port: 8123, corsOrigins: ['http://localhost:5173'] });
    expect(load({ SPAMOPS_PORT: '0' }).server.port).toBe(0);
  });
});
