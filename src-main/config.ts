/**
 * Configuration: defaults, then `<data dir>/config.json`, then environment variables, then
 * command-line flags (passed in as overrides). Every setting has one name in each place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageSettings } from './storage';
// the backend registry's table only (no driver loads): the names and what each can serve
import { BACKEND_NAMES, backendFromUrl, backendRefusal, type BackendSettings } from './storage/backends';
import { STORAGE_CONCERNS, type StorageConcern } from './storage/types';
import type { StreamSettings } from './streaming';
import { ensureInstallToken } from './platform';
import { MODEL_ID_PATTERN } from '../src-shared/training';
import type { CodeVersion } from '../src-shared/training';

export interface ServerConfig {
  host: string;
  port: number;
  /** also listen on the seed story's service ports (8111, 8222, 6566, 8999) */
  compatPorts: boolean;
  /** browser origins allowed by CORS (the seed's React client among them) */
  corsOrigins: string[];
  /** proxies whose X-Forwarded-For is believed for the caller id */
  trustedProxies: string[];
  /** bearer token required when listening beyond loopback */
  token?: string;
  bodyLimitBytes: number;
  /** a request's headers and body must arrive within this (a client that stalls is cut off with 408) */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** open connections per port beyond which new ones are refused */
  maxConnections: number;
  /** open Server-Sent Event streams (run progress, imports, ...) across the app */
  maxEventStreams: number;
  /** largest dataset upload (multipart), bytes */
  uploadLimitBytes: number;
}

export interface AppConfig {
  dataDir: string;
  storage: StorageSettings;
  offlineDir: string;
  modelsDir: string;
  server: ServerConfig;
  /** the labelled dataset `bootstrap` imports; the project's small sample by default */
  datasetPath: string;
  /** ids the story trains on (fits the tokenizer); all imported ids when absent */
  trainingIdsPath?: string;
  sampleInboxPath: string;
  /** the released models shipped with the app (`models/` of the project): served on a first start */
  releasedModelsDir: string;
  /** NATS JetStream ingestion (the seed's chapter 4); absent: the embedded change log, no outside service */
  stream?: StreamSettings;
  /** SPAM_MODEL_VERSIONS as written (the composition root checks the names): the ids answering on /model/{v} */
  servedModels?: string;
  /** SPAMOPS_INBOX_MODEL: the model whose verdict on each inbox message is recorded */
  inboxModel: string;
  /** monitoring's defaults (an operator's saved settings override them) */
  monitoring: { webhookUrl?: string; retrainOnAlert: boolean; retrainEveryHours: number };
  /** LSTM training: threads per step (undefined: one per core but one, at most 4); the experimental recurrent dropout */
  training: { threads?: number; recurrentDropout: boolean };
  /** SPAMOPS_UCI_MIRROR: where `import --uci` downloads from (a folder URL holding both zips) */
  uciMirror?: string;
  /** the offline store's engine (DuckDB): its memory limit (past it, it spills to disk) and threads */
  offlineEngine: { memoryLimit: string; threads: number };
  /** the code that runs (package.json's version, the git commit when `git rev-parse HEAD` works): each version's lineage records it */
  code: CodeVersion;
  /**
   * serving's micro-batches (v2, v3): concurrent uncached requests gathered for at most `maxWaitMs`
   * (a lone request never waits), a batch run at once when it reaches `maxBatch` (1: no batching);
   * `offThread`: batches that would take 1 ms or more run on a helper thread of their own (SPAMOPS_BATCH_THREAD=0: here)
   */
  batching: { maxWaitMs: number; maxBatch: number; offThread: boolean };
}

/**
 * Which code runs, read once at start: package.json's version beside the app, and the commit of the
 * checkout when git can tell (an installed app has no .git: null).
 */
export function codeVersion(root: string): CodeVersion {
  let version = 'unknown';
  try {
    version = String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    /* no package.json beside the app: unknown */
  }
  let commit: string | null = null;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (/^[0-9a-f]{40,64}$/.test(out)) commit = out;
  } catch {
    /* no git, or not a checkout */
  }
  return { version, commit };
}

/** read once per process: loadConfig is called by every command and test */
const codeVersions = new Map<string, CodeVersion>();

/** The project's root folder (package.json), wherever this file was bundled to. */
export function appRoot(): string {
  if (process.env.SPAMOPS_APP_ROOT) return resolve(process.env.SPAMOPS_APP_ROOT);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'raw_data'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Where Electron keeps the app's data (`app.getPath('userData')`), computed the same headless. */
export function defaultDataDir(): string {
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'SpamOps');
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'SpamOps');
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'SpamOps');
  }
}

export interface ConfigOverrides {
  dataDir?: string;
  host?: string;
  port?: number;
  compatPorts?: boolean;
  datasetPath?: string;
  storage?: 'sqlite' | 'cassandra';
  /** `serve --stream <url>` */
  streamUrl?: string;
}

type FileConfig = Partial<Omit<AppConfig, 'server' | 'storage' | 'stream' | 'offlineEngine' | 'batching'>> & {
  batching?: { maxWaitMs?: number; maxBatch?: number; offThread?: boolean };
  /** the online store elsewhere than the main backend: { "url": "redis://127.0.0.1:6379/0" } */
  onlineStore?: { url?: string; prefix?: string };
  offlineEngine?: { memoryLimit?: string; threads?: number };
  server?: Partial<ServerConfig>;
  /**
   * the default backend (`default`, or `backend` as before) and its settings, and a backend per
   * concern: `{ "default": "sqlite", "online": "redis://127.0.0.1:6379/0", "runs": "sqlite" }`
   */
  storage?: { backend?: string; default?: string } & Partial<Record<StorageConcern, unknown>> & Record<string, unknown>;
  stream?: { url?: string; subject?: string; changesSubject?: string; deadLetterSubject?: string; maxDeliver?: number; ackWaitMs?: number; takeOver?: boolean };
};

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function loadConfig(o: ConfigOverrides = {}, rawEnv: NodeJS.ProcessEnv = process.env): AppConfig {
  // an empty variable counts as unset (VAR= in a shell line)
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v !== '')) as NodeJS.ProcessEnv;
  const dataDir = resolve(o.dataDir ?? env.SPAMOPS_DATA_DIR ?? defaultDataDir());
  const file = join(dataDir, 'config.json');
  let fc: FileConfig = {};
  if (existsSync(file)) {
    try {
      fc = JSON.parse(readFileSync(file, 'utf8')) as FileConfig;
    } catch (e) {
      throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
    }
  }
  checkFileKeys(fc, file);
  const root = appRoot();
  const storage = storageSettings(o, env, fc, dataDir);
  // named by where it came from: "port: got NaN" said neither the variable nor the value
  const [portName, portRaw] =
    o.port !== undefined
      ? ['--port', o.port]
      : env.SPAMOPS_PORT !== undefined
        ? ['SPAMOPS_PORT', env.SPAMOPS_PORT]
        : ['server.port in config.json', fc.server?.port];
  const port = boundedSetting(portName, portRaw, 8000, 0, 65535, true);
  const fileNumber = (key: keyof ServerConfig, fallback: number, min: number, max: number) =>
    boundedSetting(`server.${key} in config.json`, fc.server?.[key] as number | undefined, fallback, min, max, true);
  return {
    dataDir,
    storage,
    offlineDir: resolve(dataDir, fc.offlineDir ?? 'offline_data'),
    modelsDir: resolve(dataDir, env.SPAMOPS_MODELS_DIR ?? fc.modelsDir ?? 'models'),
    server: {
      host: o.host ?? env.SPAMOPS_HOST ?? fc.server?.host ?? '127.0.0.1',
      port,
      compatPorts: o.compatPorts ?? (env.SPAMOPS_COMPAT_PORTS === '1' || fc.server?.compatPorts === true),
      corsOrigins: origins(
        list(env.SPAMOPS_CORS_ORIGINS) ?? fc.server?.corsOrigins ?? ['http://localhost:3000', 'http://127.0.0.1:3000'],
        env.SPAMOPS_CORS_ORIGINS !== undefined ? 'SPAMOPS_CORS_ORIGINS' : 'server.corsOrigins in config.json',
      ),
      trustedProxies: list(env.SPAMOPS_TRUSTED_PROXIES) ?? fc.server?.trustedProxies ?? [],
      token: tokenSetting(env.SPAMOPS_TOKEN !== undefined ? 'SPAMOPS_TOKEN' : 'server.token in config.json', env.SPAMOPS_TOKEN ?? fc.server?.token),
      bodyLimitBytes: fileNumber('bodyLimitBytes', 1024 * 1024, 1, 2 ** 31),
      requestTimeoutMs: fileNumber('requestTimeoutMs', 60_000, 0, 2 ** 31),
      headersTimeoutMs: fileNumber('headersTimeoutMs', 10_000, 0, 2 ** 31),
      keepAliveTimeoutMs: fileNumber('keepAliveTimeoutMs', 5_000, 0, 2 ** 31),
      maxConnections: fileNumber('maxConnections', 512, 1, 1_000_000),
      maxEventStreams: fileNumber('maxEventStreams', 100, 0, 100_000),
      uploadLimitBytes: fileNumber('uploadLimitBytes', 200 * 1024 * 1024, 1, 2 ** 40),
    },
    datasetPath: resolve(o.datasetPath ?? env.SPAMOPS_DATASET ?? fc.datasetPath ?? join(root, 'raw_data', 'sample_dataset.csv')),
    trainingIdsPath: env.SPAMOPS_TRAINING_IDS ?? fc.trainingIdsPath,
    sampleInboxPath: resolve(fc.sampleInboxPath ?? join(root, 'raw_data', 'sample_inbox.json')),
    releasedModelsDir: resolve(env.SPAMOPS_RELEASED_MODELS ?? join(root, 'models')),
    stream: streamSettings(o, env, fc),
    offlineEngine: offlineEngineSettings(env, fc),
    batching: batchingSettings(env, fc),
    servedModels: env.SPAM_MODEL_VERSIONS,
    inboxModel: modelIdSetting(env, 'SPAMOPS_INBOX_MODEL', 'v3'),
    monitoring: {
      webhookUrl: env.SPAMOPS_ALERT_WEBHOOK,
      retrainOnAlert: env.SPAMOPS_RETRAIN_ON_ALERT === '1',
      retrainEveryHours: numberSetting(env, 'SPAMOPS_RETRAIN_EVERY_HOURS', 0, 0, 24 * 365),
    },
    training: {
      threads: env.SPAMOPS_TRAIN_THREADS === undefined ? undefined : numberSetting(env, 'SPAMOPS_TRAIN_THREADS', 1, 1, 64, true),
      recurrentDropout: env.SPAMOPS_RECURRENT_DROPOUT === '1',
    },
    uciMirror: env.SPAMOPS_UCI_MIRROR,
    code: codeVersions.get(root) ?? codeVersions.set(root, codeVersion(root)).get(root)!,
  };
}

/** the variable naming a concern's backend: SPAMOPS_ONLINE_STORE for the online store (as before), SPAMOPS_STORAGE_<CONCERN> for the others */
export function concernVariable(c: StorageConcern): string {
  return c === 'online' ? 'SPAMOPS_ONLINE_STORE' : `SPAMOPS_STORAGE_${c.toUpperCase()}`;
}

/**
 * Storage per concern (Feast's online and offline stores, MLflow's tracking and registry stores).
 * The default backend: `--storage`, else SPAMOPS_STORAGE, else config.json `storage.default` (or
 * `storage.backend`), else sqlite. Each concern: its variable (SPAMOPS_ONLINE_STORE,
 * SPAMOPS_STORAGE_RUNS, ...), else config.json `storage.<concern>` (the online store also
 * `onlineStore.url`, as before), else the default. The environment wins over the file, key by key.
 * A value is a backend name (sqlite, cassandra) or a redis:// URL; an unknown backend, or one
 * that cannot serve the concern, is an error naming the setting.
 */
function storageSettings(o: ConfigOverrides, env: NodeJS.ProcessEnv, fc: FileConfig, dataDir: string): StorageSettings {
  const fs = (fc.storage ?? {}) as Record<string, unknown>;
  if (fs.default !== undefined && fs.backend !== undefined && fs.default !== fs.backend)
    throw new Error(`config.json storage.default "${String(fs.default)}" and storage.backend "${String(fs.backend)}" disagree: keep one (storage.default)`);
  const [backend, where] =
    o.storage !== undefined
      ? [o.storage as string, '--storage']
      : env.SPAMOPS_STORAGE !== undefined
        ? [env.SPAMOPS_STORAGE, 'SPAMOPS_STORAGE']
        : fs.default !== undefined
          ? [String(fs.default), 'config.json storage.default']
          : [fs.backend === undefined ? 'sqlite' : String(fs.backend), 'config.json storage.backend'];
  if (backend !== 'sqlite' && backend !== 'cassandra')
    throw new Error(`${where}: expected "sqlite" or "cassandra" (a backend that serves every store), got "${String(backend)}"`);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const sqlite = (): BackendSettings => ({ backend: 'sqlite', path: resolve(dataDir, env.SPAMOPS_SQLITE_PATH ?? str(fs.path) ?? 'spamops.sqlite') });
  const cassandra = (): BackendSettings => ({
    backend: 'cassandra',
    contactPoints:
      list(env.CASSANDRA_CONTACT_POINTS) ?? list(str(fs.contactPoints)) ?? (Array.isArray(fs.contactPoints) ? (fs.contactPoints as string[]) : ['127.0.0.1']),
    keyspace: env.CASSANDRA_KEYSPACE ?? str(fs.keyspace) ?? 'spamops',
    localDataCenter: env.CASSANDRA_LOCAL_DC ?? str(fs.localDataCenter) ?? 'datacenter1',
    username: env.CASSANDRA_USERNAME ?? str(fs.username),
    password: env.CASSANDRA_PASSWORD ?? str(fs.password),
    secureConnectBundle: env.CASSANDRA_SECURE_CONNECT_BUNDLE ?? env.ASTRA_DB_SECURE_BUNDLE_PATH ?? str(fs.secureConnectBundle),
  });
  const storage = (backend === 'sqlite' ? sqlite() : cassandra()) as StorageSettings;
  const defaultJson = JSON.stringify(storage);
  const prefix = env.SPAMOPS_ONLINE_STORE_PREFIX ?? fc.onlineStore?.prefix;
  if (prefix !== undefined && !/^[\w:.-]{1,64}$/.test(prefix))
    throw new Error(`SPAMOPS_ONLINE_STORE_PREFIX: expected 1-64 letters, digits, _ : . or -, got "${prefix}"`);
  for (const c of STORAGE_CONCERNS) {
    const variable = concernVariable(c);
    const [raw, key] =
      env[variable] !== undefined
        ? [env[variable], variable]
        : fs[c] !== undefined
          ? [fs[c], `config.json storage.${c}`]
          : c === 'online' && fc.onlineStore?.url !== undefined
            ? [fc.onlineStore.url, 'config.json onlineStore.url']
            : [undefined, ''];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || raw === '')
      throw new Error(`${key}: expected a backend name (${BACKEND_NAMES.join(', ')}) or a redis:// URL, got ${JSON.stringify(raw)}`);
    const chosen = concernBackend(key, raw, c, { sqlite, cassandra, prefix });
    if (JSON.stringify(chosen) === defaultJson) continue; // the default itself
    if (c === 'online') storage.online = chosen;
    else storage.stores = { ...storage.stores, [c]: chosen };
  }
  return storage;
}

/** one concern's backend from its setting: a name (sqlite, cassandra) or a URL (redis://); throws naming `key` */
function concernBackend(
  key: string,
  raw: string,
  concern: StorageConcern,
  o: { sqlite: () => BackendSettings; cassandra: () => BackendSettings; prefix: string | undefined },
): BackendSettings {
  const chosen = raw.includes('://') ? backendFromUrl(key, raw, { prefix: o.prefix }) : undefined;
  const refusal = backendRefusal(key, chosen?.backend ?? raw, concern);
  if (refusal) throw new Error(refusal);
  if (chosen) return chosen;
  if (raw !== 'sqlite' && raw !== 'cassandra')
    throw new Error(`${key}: the ${raw} backend is named by its URL (for example redis://127.0.0.1:6379/0), got "${raw}"`);
  return raw === 'sqlite' ? o.sqlite() : o.cassandra();
}

/** a number from the environment, checked: the variable named with what was expected */
function numberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, integer = false): number {
  return boundedSetting(name, env[name], fallback, min, max, integer);
}

/** the keys config.json may hold: a misspelt one ("bodyLimitByte") was ignored without a word */
const FILE_KEYS = [
  'batching',
  'datasetPath',
  'modelsDir',
  'offlineDir',
  'offlineEngine',
  'onlineStore',
  'sampleInboxPath',
  'server',
  'storage',
  'stream',
  'trainingIdsPath',
];
const SERVER_KEYS: (keyof ServerConfig)[] = [
  'host',
  'port',
  'compatPorts',
  'corsOrigins',
  'trustedProxies',
  'token',
  'bodyLimitBytes',
  'requestTimeoutMs',
  'headersTimeoutMs',
  'keepAliveTimeoutMs',
  'maxConnections',
  'maxEventStreams',
  'uploadLimitBytes',
];

function checkFileKeys(fc: FileConfig, file: string): void {
  if (!fc || typeof fc !== 'object' || Array.isArray(fc)) throw new Error(`${file}: expected a JSON object of settings`);
  const unknown = (o: object, known: string[], prefix: string) => {
    const bad = Object.keys(o).filter((k) => !known.includes(k));
    if (bad.length)
      throw new Error(`${file}: unknown setting ${bad.map((k) => `"${prefix}${k}"`).join(', ')}; known: ${known.map((k) => prefix + k).join(', ')}`);
  };
  unknown(fc, FILE_KEYS, '');
  for (const head of ['server', 'batching', 'onlineStore', 'offlineEngine', 'storage', 'stream']) {
    const v = (fc as Record<string, unknown>)[head];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v)))
      throw new Error(`${file}: ${head}: expected an object of settings, got ${JSON.stringify(v)}`);
  }
  if (fc.server !== undefined) unknown(fc.server, SERVER_KEYS, 'server.');
  // each value of its type, said by its key ("host.startsWith is not a function", and a token
  // {"a":1} that "[object Object]" matched, were what wrong types gave)
  for (const [key, type] of Object.entries(FILE_TYPES)) {
    const [head, tail] = key.split('.');
    const parent = (fc as Record<string, unknown>)[head];
    const v = tail === undefined ? parent : (parent as Record<string, unknown> | undefined)?.[tail];
    if (v === undefined) continue;
    const ok =
      type === 'strings'
        ? Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')
        : type === 'string'
          ? typeof v === 'string' && v !== ''
          : typeof v === type;
    if (!ok)
      throw new Error(
        `${file}: ${key}: expected ${type === 'strings' ? 'a list of strings, e.g. ["http://localhost:3000"]' : type === 'string' ? 'a non-empty string' : `a ${type}`}, got ${JSON.stringify(v)}`,
      );
  }
}

/** config.json's values that are not numbers (those are checked with their bounds), by type */
const FILE_TYPES: Record<string, 'string' | 'strings' | 'boolean'> = {
  offlineDir: 'string',
  modelsDir: 'string',
  datasetPath: 'string',
  trainingIdsPath: 'string',
  sampleInboxPath: 'string',
  'server.host': 'string',
  'server.token': 'string',
  'server.corsOrigins': 'strings',
  'server.trustedProxies': 'strings',
  'server.compatPorts': 'boolean',
  'onlineStore.url': 'string',
  'onlineStore.prefix': 'string',
  'offlineEngine.memoryLimit': 'string',
  'stream.url': 'string',
  'stream.subject': 'string',
  'stream.changesSubject': 'string',
  'stream.deadLetterSubject': 'string',
  'stream.takeOver': 'boolean',
};

/** browser origins (scheme://host[:port]), each checked: "not a url" was taken and matched nothing */
function origins(values: string[], name: string): string[] {
  for (const v of values) {
    let origin: string | undefined;
    try {
      origin = new URL(v).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== v.replace(/\/$/, '')) throw new Error(`${name}: "${v}" is not a browser origin: expected scheme://host[:port], e.g. http://localhost:3000`);
  }
  return values.map((v) => v.replace(/\/$/, ''));
}

/** the fewest characters a token of one's own may have: it guards a server listening beyond loopback */
const MIN_TOKEN_LENGTH = 16;

/** a token given by the user, long enough not to be guessed (`SPAMOPS_TOKEN=x` was taken) */
function tokenSetting(name: string, token: string | undefined): string | undefined {
  if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)))
    throw new Error(
      `${name}: expected a token of at least ${MIN_TOKEN_LENGTH} characters without spaces (it guards the API beyond loopback), got ${token.length} characters; leave it unset and SpamOps makes one (stored in the data dir)`,
    );
  return token;
}

/** a model id from the environment, checked as one (letters, digits, '_', '.', '-', at most 40) */
function modelIdSetting(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!new RegExp(MODEL_ID_PATTERN).test(raw))
    throw new Error(`${name}: expected a model id (letters, digits, '_', '.', '-', at most 40, e.g. v3), got ${JSON.stringify(raw)}`);
  return raw;
}

/** a number from the environment (a string) or config.json (a number), checked against its bounds by name */
function boundedSetting(name: string, raw: string | number | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  // written as people write numbers: Number() also took "0x20D3" and " 8403"
  const written = typeof raw !== 'string' || (integer ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i).test(raw);
  if (!written || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new Error(`${name}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** serving's micro-batches: the variable, else config.json `batching`, else 1 ms and 8 rows, on a helper thread */
function batchingSettings(env: NodeJS.ProcessEnv, fc: FileConfig): AppConfig['batching'] {
  const pick = (variable: string, key: 'maxWaitMs' | 'maxBatch'): [string, unknown] =>
    env[variable] !== undefined ? [variable, env[variable]] : [`config.json batching.${key}`, fc.batching?.[key]];
  const setting = (variable: string, key: 'maxWaitMs' | 'maxBatch', fallback: number, max: number, integer: boolean) => {
    const [name, raw] = pick(variable, key);
    if (raw !== undefined && typeof raw !== 'number' && typeof raw !== 'string')
      throw new Error(`${name}: expected ${integer ? 'an integer' : 'a number'} from ${integer ? 1 : 0} to ${max}, got ${JSON.stringify(raw)}`);
    return boundedSetting(name, raw, fallback, integer ? 1 : 0, max, integer);
  };
  const thread = env.SPAMOPS_BATCH_THREAD;
  if (thread !== undefined && thread !== '0' && thread !== '1') throw new Error(`SPAMOPS_BATCH_THREAD: expected 0 or 1, got ${JSON.stringify(thread)}`);
  if (fc.batching?.offThread !== undefined && typeof fc.batching.offThread !== 'boolean')
    throw new Error(`config.json batching.offThread: expected true or false, got ${JSON.stringify(fc.batching.offThread)}`);
  return {
    maxWaitMs: setting('SPAMOPS_BATCH_WAIT_MS', 'maxWaitMs', 1, 50, false),
    maxBatch: setting('SPAMOPS_BATCH_SIZE', 'maxBatch', 8, 256, true),
    offThread: thread !== undefined ? thread === '1' : (fc.batching?.offThread ?? true),
  };
}

function offlineEngineSettings(env: NodeJS.ProcessEnv, fc: FileConfig): AppConfig['offlineEngine'] {
  const memoryLimit = env.SPAMOPS_OFFLINE_MEMORY ?? fc.offlineEngine?.memoryLimit ?? '384MB';
  const memoryName = env.SPAMOPS_OFFLINE_MEMORY !== undefined ? 'SPAMOPS_OFFLINE_MEMORY' : 'offlineEngine.memoryLimit in config.json';
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(memoryLimit))
    throw new Error(`${memoryName}: expected a size such as 512MB or 2GB, got "${memoryLimit}"`);
  const rawThreads = env.SPAMOPS_OFFLINE_THREADS ?? fc.offlineEngine?.threads ?? Math.max(1, Math.min(cpus().length, 8));
  const threadsName = env.SPAMOPS_OFFLINE_THREADS !== undefined ? 'SPAMOPS_OFFLINE_THREADS' : 'offlineEngine.threads in config.json';
  const threads = Number(rawThreads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new Error(`${threadsName}: expected an integer from 1 to 256, got "${String(rawThreads)}"`);
  return { memoryLimit, threads };
}

/* ---------- the stream (NATS JetStream) ---------- */

const NATS_URL = /^(?:(?:nats|tls):\/\/)?(?:[^@\s/]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;
/** a NATS subject: dot-separated tokens; `*` stands for one token, a last `>` for the rest */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

function checkSubject(subject: string, where: string, wildcards: boolean): string {
  const tokens = subject.split('.');
  const ok = tokens.every((t, i) => SUBJECT_TOKEN.test(t) || (wildcards && (t === '*' || (t === '>' && i === tokens.length - 1))));
  if (!ok)
    throw new Error(
      `${where}: expected a NATS subject such as sms.incoming (tokens of letters, digits, _ and - separated by dots${wildcards ? '; * for one token, a last > for the rest' : ', no wildcards'}), got "${subject}"`,
    );
  return subject;
}

/** true when some subject matches both patterns (the streams of two overlapping subjects would fight over messages) */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; ; i++) {
    if (x[i] === '>' || y[i] === '>') return i < x.length && i < y.length;
    if (i === x.length || i === y.length) return x.length === y.length;
    if (x[i] !== y[i] && x[i] !== '*' && y[i] !== '*') return false;
  }
}

/** the NATS servers of a stream URL (`nats://host:port`, several separated by commas); throws naming `where` */
export function streamServers(raw: string, where: string): string[] {
  const servers = list(raw) ?? [];
  for (const s of servers)
    if (!NATS_URL.test(s)) throw new Error(`${where}: expected nats://host:port (several separated by commas for a cluster), got "${s}"`);
  if (servers.length === 0) throw new Error(`${where}: expected nats://host:port, got "${raw}"`);
  return servers;
}

function streamSettings(o: ConfigOverrides, env: NodeJS.ProcessEnv, fc: FileConfig): StreamSettings | undefined {
  const f = fc.stream ?? {};
  const [raw, where] = o.streamUrl
    ? [o.streamUrl, '--stream']
    : env.SPAMOPS_STREAM_URL
      ? [env.SPAMOPS_STREAM_URL, 'SPAMOPS_STREAM_URL']
      : [f.url, 'config.json stream.url'];
  if (!raw) return undefined;
  const servers = streamServers(raw, where);
  const subject = checkSubject(env.SPAMOPS_STREAM_SUBJECT ?? f.subject ?? 'sms.incoming', 'SPAMOPS_STREAM_SUBJECT', true);
  const changesSubject = checkSubject(env.SPAMOPS_STREAM_CHANGES_SUBJECT ?? f.changesSubject ?? 'sms.changes', 'SPAMOPS_STREAM_CHANGES_SUBJECT', false);
  const deadLetterSubject = checkSubject(
    env.SPAMOPS_STREAM_DEAD_LETTER_SUBJECT ?? f.deadLetterSubject ?? 'sms.dead',
    'SPAMOPS_STREAM_DEAD_LETTER_SUBJECT',
    false,
  );
  const named: [string, string][] = [
    ['SPAMOPS_STREAM_SUBJECT', subject],
    ['SPAMOPS_STREAM_CHANGES_SUBJECT', changesSubject],
    ['SPAMOPS_STREAM_DEAD_LETTER_SUBJECT', deadLetterSubject],
  ];
  for (const [i, [na, a]] of named.entries())
    for (const [nb, b] of named.slice(i + 1))
      if (subjectsOverlap(a, b))
        throw new Error(`${na} "${a}" and ${nb} "${b}" overlap: each needs a stream of its own, pick subjects that do not match each other`);
  const int = (name: string, v: string | number | undefined, dflt: number, min: number, max: number) => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${String(v)}"`);
    return n;
  };
  return {
    servers,
    subject,
    changesSubject,
    deadLetterSubject,
    maxDeliver: int('SPAMOPS_STREAM_MAX_DELIVER', env.SPAMOPS_STREAM_MAX_DELIVER ?? f.maxDeliver, 5, 1, 100),
    ackWaitMs: int('SPAMOPS_STREAM_ACK_WAIT_MS', env.SPAMOPS_STREAM_ACK_WAIT_MS ?? f.ackWaitMs, 10_000, 500, 600_000),
    takeOver: env.SPAMOPS_STREAM_TAKE_OVER === '1' || f.takeOver === true,
  };
}

/** The API token: the configured one (SPAMOPS_TOKEN, config.json), else this install's (made once in the data dir). */
export function installToken(config: AppConfig): string {
  config.server.token ??= ensureInstallToken(config.dataDir);
  return config.server.token;
}
