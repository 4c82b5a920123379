/**
 * Data imports the console (or any tool) starts: a file uploaded (seed CSV, UCI SMS TSV, UCI
 * YouTube CSV, a UCI zip) or the UCI download, then what makes the data usable: the warehouse
 * import, the offline sources rebuilt, the registry applied, the views materialized. Each step
 * reports as it goes (rows, bytes, what it wrote); jobs run one at a time; the console follows
 * them as Server-Sent Events. The tokenizer is kept (not refit): the features v2 of the new rows
 * mean what the served models were trained on.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../engines';
import { isAlive, thisProcess } from '../platform';
import {
  archivesOf,
  downloadArchive,
  identifyArchive,
  readArchive,
  readDatasetFile,
  nextSmsNumber,
  type DatasetBatch,
  type DatasetFormat,
  type UciArchive,
  type UciWhich,
} from '../dataset';
import { definitionsForStage, LATEST_STAGE } from '../featurestore';
import type { ImportEvent, ImportJob, ImportStep, ImportStepKey } from '../../src-shared/data';
import { buildOfflineSources } from './offline-sources';
import { importBatches, type ImportReport } from './warehouse-import';

export type ImportSource =
  | { kind: 'file'; path: string; name: string; format: DatasetFormat; size: number }
  | { kind: 'archive'; path: string; name: string; size: number }
  | { kind: 'uci'; which: UciWhich };

const LABELS: Record<ImportStepKey, string> = {
  upload: 'File received',
  download: 'Download from UCI',
  read: 'Rows imported into the warehouse',
  'offline-sources': 'Offline sources rebuilt',
  apply: 'Feature registry applied',
  materialize: 'Online store materialized',
};

/** the UCI collections an import of `which` reads, named */
export function uciName(which: UciWhich): string {
  return `UCI ${which === 'all' ? 'SMS + YouTube' : which === 'sms' ? 'SMS' : 'YouTube'} Spam Collection`;
}

/** a new import's id: its time, then four hex digits */
function importId(at: Date): string {
  return `imp-${at
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .toLowerCase()}-${randomBytes(2).toString('hex')}`;
}

/** the read step's sentence: what an import stored, and what it did not */
function readDetail(report: ImportReport, numbered?: string): string {
  return `${report.inserted} new messages (${report.labels.ham} ham, ${report.labels.spam} spam read${numbered ? `; ${numbered}` : ''}${report.renumbered ? `; ${report.renumbered} lines numbered after the highest sms id, as those ids held other messages` : ''}), ${report.problemCount} bad rows skipped, ${report.duplicates} duplicates kept as they were${report.conflicts ? `, ${report.conflicts} rows not imported: their ids hold other messages (${report.conflictIds.slice(0, 3).join(', ')}${report.conflicts > 3 ? ', …' : ''})` : ''}`;
}

/**
 * Writes job records in the order asked, each as it was when asked (a copy): a failed write is
 * dropped, the next one carries the job on
 */
function jobWriter(engines: Pick<Engines, 'storage'>): (job: ImportJob) => Promise<void> {
  let saving: Promise<void> = Promise.resolve();
  return (job) => {
    const record = structuredClone(job);
    saving = saving.then(() => engines.storage.imports.put(record).catch(() => undefined));
    return saving;
  };
}

/**
 * An import made outside the server's queue (`spamops import`, `spamops bootstrap`), recorded as
 * an import job as it goes: lineage names the imports a version's data came from, and named only
 * the console's and the API's (a version trained on rows the CLI imported named none). Stored at
 * its start with its process as owner, so a server started after a kill finds it interrupted and
 * brings the features of the rows it stored up to date, as for its own jobs.
 */
export class RecordedImport {
  private lastSaved = 0;
  private readonly write: (job: ImportJob) => Promise<void>;

  private constructor(
    engines: Pick<Engines, 'storage'>,
    private readonly job: ImportJob,
    /** what the steps after the read say, skipped */
    private readonly after: string | undefined,
  ) {
    this.write = jobWriter(engines);
  }

  /**
   * `via`: the command; `first`: the step before the read (the file read, or the archives downloaded), done; `after`:
   * what the steps after the read say (`undefined`: the import has none, as bootstrap's, which runs
   * them itself)
   */
  static async begin(
    engines: Pick<Engines, 'storage'>,
    source: ImportJob['source'],
    o: { via: string; first?: { key: 'upload' | 'download'; detail: string }; after?: string },
  ): Promise<RecordedImport> {
    const at = new Date();
    const steps: ImportStep[] = [];
    if (o.first) steps.push({ key: o.first.key, label: LABELS[o.first.key], status: 'done', detail: o.first.detail });
    steps.push({ key: 'read', label: LABELS.read, status: 'running', unit: 'rows', done: 0 });
    if (o.after !== undefined)
      for (const key of ['offline-sources', 'apply', 'materialize'] as const) steps.push({ key, label: LABELS[key], status: 'pending' });
    const job: ImportJob = { id: importId(at), createdAt: at.toISOString(), source, via: o.via, status: 'running', steps, owner: thisProcess() };
    const r = new RecordedImport(engines, job, o.after);
    await r.save();
    return r;
  }

  get id(): string {
    return this.job.id;
  }

  /** how far the read got, stored now and then (what a restart after a kill says) */
  progress(report: ImportReport): void {
    this.job.report = { ...report, problems: report.problems.slice(0, 100) };
    this.readStep().done = report.read;
    if (Date.now() - this.lastSaved >= 500) void this.save();
  }

  /** the read done: the import succeeded; the steps after it say what brings the features up to date */
  async succeeded(report: ImportReport): Promise<void> {
    this.job.report = { ...report, problems: report.problems.slice(0, 100) };
    Object.assign(this.readStep(), { status: 'done', done: report.read, total: report.read, detail: readDetail(report) });
    for (const s of this.job.steps) if (s.status === 'pending') Object.assign(s, { status: 'skipped', detail: this.after });
    this.job.status = 'succeeded';
    await this.end();
  }

  async failed(err: unknown, report?: ImportReport): Promise<void> {
    if (report) this.job.report = { ...report, problems: report.problems.slice(0, 100) };
    this.job.error = err instanceof Error ? err.message : String(err);
    Object.assign(this.readStep(), { status: 'failed', detail: this.job.error });
    for (const s of this.job.steps) if (s.status === 'pending') s.status = 'skipped';
    this.job.status = 'failed';
    await this.end();
  }

  private readStep(): ImportStep {
    return this.job.steps.find((s) => s.key === 'read')!;
  }

  private async end(): Promise<void> {
    this.job.finishedAt = new Date().toISOString();
    await this.save();
  }

  private save(): Promise<void> {
    this.lastSaved = Date.now();
    return this.write(this.job);
  }
}

export class DataImports extends EventEmitter {
  private readonly jobs = new Map<string, ImportJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly engines: Engines) {
    super();
    this.save = jobWriter(engines);
  }

  /** the jobs of this process, then the stored ones, newest first */
  async list(limit = 50): Promise<ImportJob[]> {
    const stored = await this.engines.storage.imports.page({ limit });
    const byId = new Map(stored.map((j) => [j.id, j]));
    for (const j of this.jobs.values()) byId.set(j.id, j);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  async get(id: string): Promise<ImportJob | undefined> {
    const live = this.jobs.get(id);
    if (live) return live;
    return this.engines.storage.imports.get(id);
  }

  /** queues an import; it starts when the one before it ends */
  start(source: ImportSource): ImportJob {
    const at = new Date();
    const id = importId(at);
    const keys: ImportStepKey[] = [source.kind === 'uci' ? 'download' : 'upload', 'read', 'offline-sources', 'apply', 'materialize'];
    const job: ImportJob = {
      id,
      createdAt: at.toISOString(),
      source:
        source.kind === 'uci'
          ? {
              kind: 'uci',
              name: uciName(source.which),
              which: source.which,
            }
          : { kind: source.kind, name: source.name, ...(source.kind === 'file' ? { format: source.format } : {}) },
      status: 'running',
      steps: keys.map((key) => ({ key, label: LABELS[key], status: 'pending' })),
      owner: thisProcess(),
    };
    if (source.kind !== 'uci')
      Object.assign(job.steps[0], {
        status: 'done',
        done: source.size,
        total: source.size,
        unit: 'bytes',
        detail: `${source.name}, ${(source.size / 1024).toFixed(1)} KB`,
      });
    this.jobs.set(id, job);
    this.publish(job);
    // stored from the start, and at every step: a server killed meanwhile leaves a record its next start finds
    this.save(job);
    this.queue = this.queue.then(() => this.run(job, source));
    return job;
  }

  /** the job's record as it is now, written after the ones before it */
  private readonly save: (job: ImportJob) => Promise<void>;

  /**
   * At start: the jobs an earlier process left running (killed, crashed, or stopped before its
   * import ended) are marked failed, saying where they stopped. The rows one had stored are kept;
   * so that the offline sources, the registry and the online store have them too (a training run
   * read the warehouse's rows without their features: dropped), its last steps are run again
   * here, in the queue. Uploads an earlier process left are deleted.
   */
  async recover(): Promise<ImportJob[]> {
    const running = (await this.engines.storage.imports.page({ limit: 1000 })).filter((j) => j.status === 'running' && !this.jobs.has(j.id));
    // another live process's import is its own (records from before the owner was kept have none: theirs is gone)
    const stale = running.filter((j) => !isAlive(j.owner));
    for (const job of stale) {
      const at = job.steps.find((s) => s.status === 'running');
      const read = job.steps.find((s) => s.key === 'read');
      const rows = job.report ? ` (at least ${job.report.inserted} new rows stored of ${job.report.read} read)` : '';
      // stopped between two steps: after the last one done (it said "before it started" once its
      // read had stored 200,000 rows)
      const done = job.steps.filter((s) => s.status === 'done' && s.key !== 'upload').at(-1);
      const where = at
        ? `during "${at.label}"${at.key === 'read' ? rows : ''}`
        : done
          ? `after "${done.label}"${done.key === 'read' ? rows : ''}`
          : 'before it started';
      job.error = `interrupted ${where}: ${job.via ? `\`${job.via}\`` : 'the server'} stopped (killed, crashed, or stopped before the import ended)`;
      if (at) Object.assign(at, { status: 'failed', detail: job.error });
      const stored = read?.status === 'running' || read?.status === 'done' || read?.status === 'failed';
      if (!stored) {
        for (const s of job.steps) if (s.status === 'pending') s.status = 'skipped';
        job.status = 'failed';
        job.finishedAt = new Date().toISOString();
        job.error += '; nothing of it was stored: import the file again';
        await this.save(job);
        continue;
      }
      // its rows are in the warehouse: the steps after the read bring the rest up to date
      job.error +=
        read?.status === 'done'
          ? '; its rows are kept, and the steps after the read were run again after the restart'
          : '; the rows stored before the stop are kept (the steps after the read were run again after the restart with them): import the file again to add the rest, rows already stored count as duplicates';
      for (const s of job.steps) if (s.key !== 'read' && s.key !== 'upload' && s.key !== 'download') Object.assign(s, { status: 'pending', detail: undefined });
      this.jobs.set(job.id, job);
      this.publish(job);
      await this.save(job);
      this.queue = this.queue.then(() => this.finishInterrupted(job));
    }
    // uploads of jobs that will never run (this process has received none yet when it recovers),
    // unless another live process is importing one
    const dir = join(this.engines.config.dataDir, 'imports');
    if (running.length === stale.length && existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.upload')) rmSync(join(dir, f), { force: true });
    return stale;
  }

  private async finishInterrupted(job: ImportJob): Promise<void> {
    // every row read was stored before the stop: once the steps after it are done, so is the import
    const complete = job.steps.find((s) => s.key === 'read')?.status === 'done';
    const { mark, current } = this.marker(job, 'offline-sources');
    let done = false;
    try {
      await this.afterRead(mark);
      done = complete;
    } catch (err) {
      job.error += `; then the steps after the read failed: ${(err as Error).message}`;
      this.step(job, current(), { status: 'failed', detail: (err as Error).message });
      for (const s of job.steps) if (s.status === 'pending') s.status = 'skipped';
    } finally {
      job.status = done ? 'succeeded' : 'failed';
      if (done) delete job.error;
      job.finishedAt = new Date().toISOString();
      await this.save(job);
      this.jobs.delete(job.id);
      this.publish(job);
    }
  }

  /** a job's step marker: a step's change published (and stored when its status changes), and the step last marked */
  private marker(job: ImportJob, first: ImportStepKey) {
    let last = first;
    return {
      mark: (key: ImportStepKey, patch: Partial<ImportStep>, throttle = false) => {
        last = key;
        this.step(job, key, patch, throttle);
        if (patch.status) this.save(job);
      },
      current: () => last,
    };
  }

  /** the steps after the warehouse import: the offline sources rebuilt, the registry applied, the views materialized */
  private async afterRead(mark: (key: ImportStepKey, patch: Partial<ImportStep>, throttle?: boolean) => void): Promise<void> {
    const e = this.engines;
    this.checkStopping();
    mark('offline-sources', { status: 'running' });
    const rep = await buildOfflineSources(e, undefined, (s) => mark('offline-sources', { detail: s }, true), { keepTokenizer: true });
    mark('offline-sources', { status: 'done', detail: rep.sources.map((s) => `${s.source} ${s.rows} rows`).join(', ') });

    this.checkStopping();
    mark('apply', { status: 'running' });
    const applied = await e.features.apply(definitionsForStage(LATEST_STAGE), LATEST_STAGE);
    mark('apply', {
      status: 'done',
      detail: applied.changed ? `registry version ${applied.snapshot.version} (stage ${LATEST_STAGE})` : `unchanged at version ${applied.snapshot.version}`,
    });

    this.checkStopping();
    mark('materialize', { status: 'running', unit: 'rows' });
    const m = await e.features.materialize(0, Date.now(), undefined, (p) =>
      mark('materialize', { detail: `${p.view}: ${p.done} / ${p.total}`, done: p.done, total: p.total }, true),
    );
    mark('materialize', { status: 'done', detail: m.views.map((v) => `${v.feature_view} ${v.rows_written}`).join(', ') });
  }

  /** resolves when every queued import has ended (tests, shutdown) */
  async idle(): Promise<void> {
    await this.queue;
  }

  private stopping = false;
  /** shutdown: the import under way stops at its next batch (what it stored is kept), queued ones do not start */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  private checkStopping(): void {
    if (this.stopping) throw new Error('the server stopped during the import');
  }

  private lastPublish = 0;
  private publish(job: ImportJob, throttle = false): void {
    const now = Date.now();
    if (throttle && now - this.lastPublish < 200) return;
    this.lastPublish = now;
    const event: ImportEvent = { type: job.status === 'running' ? 'job' : 'done', job: structuredClone(job) };
    this.emit('event', event);
  }

  private step(job: ImportJob, key: ImportStepKey, patch: Partial<ImportStep>, throttle = false): void {
    // a step the job was recorded without (one the CLI ran, finished after a kill) is added
    let s = job.steps.find((x) => x.key === key);
    if (!s) {
      s = { key, label: LABELS[key], status: 'pending' };
      job.steps.push(s);
    }
    Object.assign(s, patch);
    this.publish(job, throttle);
  }

  private async run(job: ImportJob, source: ImportSource): Promise<void> {
    const e = this.engines;
    const { mark, current } = this.marker(job, job.steps[0].key);
    try {
      this.checkStopping();
      let batches: AsyncIterable<DatasetBatch & { entry?: string }>;
      let total: number | undefined;
      let numbered: string | undefined;
      if (source.kind === 'uci') {
        const archives = archivesOf(source.which);
        const paths: [UciArchive, string][] = [];
        const mirror = e.config.uciMirror;
        for (const a of archives) {
          mark('download', { status: 'running', unit: 'bytes', detail: `downloading ${a.file}` });
          paths.push([
            a,
            await downloadArchive(a, join(e.config.dataDir, 'downloads'), { mirror, onProgress: (done, t) => mark('download', { done, total: t }, true) }),
          ]);
        }
        mark('download', { status: 'done', detail: `${archives.map((a) => a.file).join(' and ')} downloaded and checked` });
        batches = (async function* () {
          for (const [a, p] of paths) yield* readArchive(p, a);
        })();
        total = archives.reduce((n, a) => n + a.expectedRows, 0);
      } else if (source.kind === 'archive') {
        const a = await identifyArchive(source.path, source.name);
        job.source.name = `${source.name} (${a.title})`;
        batches = readArchive(source.path, a, { name: source.name });
        total = a.expectedRows;
      } else {
        // a UCI SMS file has no ids: number it on from the highest stored (here, when the imports before it are done)
        const idStart = source.format === 'uci-sms-tsv' ? await nextSmsNumber(e.storage.labelled.scan({ batchSize: 5000 })) : undefined;
        if (idStart !== undefined) numbered = `numbered from sms${idStart}`;
        batches = readDatasetFile(source.path, { origin: source.name, name: source.name, format: source.format, idStart });
      }
      mark('read', { status: 'running', unit: 'rows', done: 0, total, ...(numbered ? { detail: numbered } : {}) });
      let lastSaved = 0;
      const report = await importBatches(e, batches, {
        file: source.kind === 'uci' ? 'UCI' : source.name,
        onBatch: (r) => {
          job.report = { ...r, problems: r.problems.slice(0, 100) };
          mark('read', { done: r.read }, true);
          // how far it got, stored now and then: what a restart after a kill says
          if (Date.now() - lastSaved >= 500) {
            lastSaved = Date.now();
            this.save(job);
          }
          this.checkStopping();
        },
      });
      job.report = { ...report, problems: report.problems.slice(0, 100) };
      mark('read', {
        status: 'done',
        done: report.read,
        total: report.read,
        detail: readDetail(report, numbered),
      });

      await this.afterRead(mark);
      job.status = 'succeeded';
    } catch (err) {
      job.status = 'failed';
      job.error = (err as Error).message;
      this.step(job, current(), { status: 'failed', detail: job.error });
      for (const s of job.steps) if (s.status === 'pending') s.status = 'skipped';
    } finally {
      job.finishedAt = new Date().toISOString();
      if (source.kind !== 'uci') rmSync(source.path, { force: true });
      await this.save(job);
      this.jobs.delete(job.id);
      this.publish(job);
    }
  }
}
