/**
 * The public data behind the full dataset, from the UCI Machine Learning Repository (CC BY 4.0):
 * the SMS Spam Collection (a TSV, `label<TAB>text`) and the YouTube Spam Collection (five CSV
 * files, one per video). Downloaded (or taken from a file downloaded by hand), checked (a zip
 * whose entries' CRC-32 match, the expected files inside), and read as the datasets they are.
 * yauzl reads the zip; it leaves CRC checking to the caller (zlib.crc32 here).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { readDataset, type DatasetBatch, type DatasetFormat } from './import';

export const UCI_WHICH = ['sms', 'youtube', 'all'] as const;
export type UciWhich = (typeof UCI_WHICH)[number];

export interface UciArchive {
  key: 'sms' | 'youtube';
  title: string;
  /** the archive's file name, on UCI and in a mirror folder */
  file: string;
  url: string;
  /** the entries to read, in this order (matched by their base name) */
  entries: string[];
  format: DatasetFormat;
  /** the number of the first message's id: `sms<n>` */
  idStart: number;
  /** rows UCI's archive holds: a check, reported beside what was read */
  expectedRows: number;
}

export const UCI_ARCHIVES: Record<'sms' | 'youtube', UciArchive> = {
  sms: {
    key: 'sms',
    title: 'UCI SMS Spam Collection',
    file: 'sms+spam+collection.zip',
    url: 'https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip',
    entries: ['SMSSpamCollection'],
    format: 'uci-sms-tsv',
    idStart: 10001,
    expectedRows: 5574,
  },
  youtube: {
    key: 'youtube',
    title: 'UCI YouTube Spam Collection',
    file: 'youtube+spam+collection.zip',
    url: 'https://archive.ics.uci.edu/static/public/380/youtube+spam+collection.zip',
    entries: ['Youtube01-Psy.csv', 'Youtube02-KatyPerry.csv', 'Youtube03-LMFAO.csv', 'Youtube04-Eminem.csv', 'Youtube05-Shakira.csv'],
    format: 'uci-youtube-csv',
    // after the 5,574 lines of the SMS collection, so the two never share an id
    idStart: 15575,
    expectedRows: 1956,
  },
};

export const archivesOf = (which: UciWhich): UciArchive[] => (which === 'all' ? [UCI_ARCHIVES.sms, UCI_ARCHIVES.youtube] : [UCI_ARCHIVES[which]]);

/** where to fetch an archive: the mirror folder when one is set (SPAMOPS_UCI_MIRROR), else UCI */
export const urlOf = (a: UciArchive, mirror?: string): string => (mirror ? `${mirror.replace(/\/$/, '')}/${a.file}` : a.url);

export class UciError extends Error {}

/**
 * Downloads an archive into `dir`; fails at once when the host cannot be reached, with the URLs
 * and the way to import an archive downloaded by hand.
 */
export async function downloadArchive(
  a: UciArchive,
  dir: string,
  o: { mirror?: string; onProgress?: (done: number, total?: number) => void; timeoutMs?: number } = {},
): Promise<string> {
  const url = urlOf(a, o.mirror);
  const manual = `download ${archivesOf('all')
    .map((x) => urlOf(x, o.mirror))
    .join(' and ')} by hand and run \`spamops import --uci all --archive <file.zip> ...\`, or set SPAMOPS_UCI_MIRROR to a folder URL holding both files`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UciError(`cannot download ${url} (${cause?.code ?? cause?.message ?? (e as Error).message}): ${manual}`);
  }
  if (!res.ok || !res.body) throw new UciError(`${url} answered HTTP ${res.status}: ${manual}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, a.file);
  const tmp = `${file}.part`;
  const total = Number(res.headers.get('content-length')) || undefined;
  let done = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      o.onProgress?.(done, total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, createWriteStream(tmp));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UciError(`the download of ${url} broke off after ${done} bytes (${(e as Error).message}): try again, or ${manual}`);
  }
  renameSync(tmp, file);
  return file;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip!),
    ),
  );
}

/** the archive's entries by base name (macOS resource forks under __MACOSX left out) */
async function entriesOf(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const found = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (!e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/') && !basename(e.fileName).startsWith('._')) found.set(basename(e.fileName), e);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return found;
}

/** an entry's bytes as a stream whose end checks the CRC-32 the archive records for it */
function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry, archive: string): Promise<AsyncIterable<Buffer>> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new UciError(`${archive}: cannot read ${entry.fileName}: ${err?.message}`));
      let crc = 0;
      const check = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          crc = crc32(chunk, crc);
          cb(null, chunk);
        },
        flush(cb) {
          cb(crc >>> 0 === entry.crc32 >>> 0 ? null : new UciError(`${archive}: ${entry.fileName} is corrupt (CRC-32 mismatch): download the archive again`));
        },
      });
      stream.on('error', (e) => check.destroy(new UciError(`${archive}: ${entry.fileName} is corrupt (${e.message}): download the archive again`)));
      resolve(stream.pipe(check));
    }),
  );
}

/** tells which collection an archive holds from the files inside */
export async function identifyArchive(path: string, name = basename(path)): Promise<UciArchive> {
  const zip = await openZip(path).catch((e: Error) => {
    throw new UciError(`${name} is not a readable zip archive (${e.message}): download it again`);
  });
  try {
    const names = new Set((await entriesOf(zip)).keys());
    for (const a of Object.values(UCI_ARCHIVES)) if (a.entries.every((e) => names.has(e))) return a;
    throw new UciError(
      `${name} holds neither UCI collection: expected ${UCI_ARCHIVES.sms.entries.join(', ')} (SMS) or ${UCI_ARCHIVES.youtube.entries.join(', ')} (YouTube); found ${[...names].slice(0, 8).join(', ') || 'nothing'}`,
    );
  } finally {
    zip.close();
  }
}

/**
 * The archive's messages in batches, its expected files in order; a missing file, a corrupt
 * entry or an unreadable zip is a UciError naming it.
 */
/** `name`: what messages call the archive (an upload is saved under a name of our own) */
export async function* readArchive(
  path: string,
  a: UciArchive,
  o: { batchSize?: number; name?: string } = {},
): AsyncGenerator<DatasetBatch & { entry: string }> {
  const archiveName = o.name ?? basename(path);
  if (!existsSync(path)) throw new UciError(`no such archive: ${path}`);
  const zip = await openZip(path).catch((e: Error) => {
    throw new UciError(`${archiveName} is not a readable zip archive (${e.message}): download it again`);
  });
  try {
    const found = await entriesOf(zip);
    const missing = a.entries.filter((e) => !found.has(e));
    if (missing.length) throw new UciError(`${archiveName} is not the ${a.title}: ${missing.join(', ')} missing`);
    let next = a.idStart;
    for (const name of a.entries) {
      const entry = found.get(name)!;
      const stream = await entryStream(zip, entry, archiveName);
      const reader = readDataset(stream, name, {
        origin: `${a.file}/${name}`,
        format: a.format,
        idStart: next,
        youtubeIds: 'sequential',
        batchSize: o.batchSize,
      });
      for await (const b of reader) {
        // the next file goes on from the last number this one gave (a bad row took one too)
        if (b.format === 'uci-youtube-csv') next = b.nextId;
        yield { ...b, entry: name };
      }
    }
  } finally {
    zip.close();
  }
}
