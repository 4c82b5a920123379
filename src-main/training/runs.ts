/**
 * Training runs: a queue, one worker thread per run, progress events for live charts, records
 * persisted through the storage layer (what MLflow tracks, for this product), registration of
 * the trained version. A failing run is recorded with a reason; the app keeps running.
 */
import type { Worker } from 'node:worker_threads';
import { tsxWorker } from '../platform';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { ImportJobStore, RunStore } from '../storage';
import {
  runLabelsProblem,
  type BuiltinModel,
  type CodeVersion,
  type LineageImport,
  type RunEvent,
  type RunLabelsBody,
  type RunRecord,
  type StartRunRequest,
  type TrainEvent,
} from '../../src-shared/training';
import { MODEL_SPECS, resolveParams, baseOf, isBuiltin } from '../../src-shared/model-specs';
import type { ModelRegistry } from '../models';
import type { TrainingWorkerSettings, WorkerInput, WorkerMessage } from './worker';
import { familyOf, stagingDirFor } from '../models';
import { InputError, compileUserPattern, isAlive, thisProcess } from '../platform';
import type { TrainOutcome } from './train';
import { parseTimestamp } from '../featurestore';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** a cancel of a run another process trains (the CLI, another server) */
export class RunOfAnotherProcessError extends Error {
  constructor(r: RunRecord) {
    const who = r.owner ? ` (pid ${r.owner.pid} on ${r.owner.host})` : '';
    super(
      isAlive(r.owner)
        ? `run ${r.id} (${r.status}) is trained by another process${who}: cancel it there (Ctrl-C for \`spamops train\`), or stop that process`
        : `run ${r.id} (${r.status}) belongs to a process that has stopped${who}: the server's next start takes it over (a queued run is queued there, a running one marked interrupted)`,
    );
    this.name = 'RunOfAnotherProcessError';
  }
}

/** a cancel that comes too late: the run ended, or its version is being registered */
export class RunEndedError extends Error {
  constructor(r: RunRecord, registering: boolean) {
    super(
      registering
        ? `run ${r.id} has finished training and its version is being registered: too late to cancel; delete the version if it is not wanted`
        : `run ${r.id} has ${r.status} already${r.version ? ` (version ${r.version})` : ''}: only a queued or running run can be cancelled`,
    );
    this.name = 'RunEndedError';
  }
}

export class RunNotFoundError extends Error {
  constructor(
    id: string,
    readonly known: string[],
  ) {
    super(`no training run "${id}"`);
  }
}

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${t}-${randomBytes(2).toString('hex')}`;
}

/**
 * A worker for the training job. The engines run from the TypeScript sources under tsx (the CLI,
 * `serve`, the desktop app's engine process, the tests), so the worker registers tsx too.
 */
function spawnWorker(input: WorkerInput, memoryMb: number): Worker {
  return tsxWorker(new URL('./worker.ts', import.meta.url), { workerData: input, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
}

/**
 * What the run queue needs: where records live, where versions are registered, what workers open,
 * and for each version's lineage the import jobs (the data it came from) and the code that runs.
 */
export interface TrainingRunsDeps {
  runs: RunStore;
  registry: ModelRegistry;
  worker: TrainingWorkerSettings;
  imports: ImportJobStore;
  /** read once at start by the shell (package.json, git) */
  code: CodeVersion;
  /**
   * the feature services the registry read already holds (no wait: a run is checked and queued in
   * one turn); undefined when none was read yet, and the run's own read says what is missing
   */
  featureServices?: () => { name: string; tokens: boolean }[] | undefined;
}

/** a name and tags as stored: trimmed, no empty name, no repeated tag */
function cleanLabels(o: { name?: string; tags?: string[] }): { name?: string; tags?: string[] } {
  const problem = runLabelsProblem(o);
  if (problem) throw new InputError(problem.field, problem.message);
  const name = o.name?.trim();
  return { name: name ? name : undefined, tags: o.tags && [...new Set(o.tags)] };
}

export class TrainingRuns extends EventEmitter {
  private readonly records = new Map<string, RunRecord>();
  private readonly queue: string[] = [];
  /** `ending`: the worker is done and the run is being finished (its version registered) */
  private running: { id: string; worker: Worker; flag: Int32Array; killTimer?: NodeJS.Timeout; ending?: boolean } | undefined;
  private lastSave = 0;
  private idle: Promise<void> = Promise.resolve();
  memoryLimitMb = 4096;
  private initialized = false;
  private othersTimer: NodeJS.Timeout | undefined;

  private readonly registry: ModelRegistry;
  constructor(private readonly deps: TrainingRunsDeps) {
    super();
    this.registry = deps.registry;
    this.setMaxListeners(100);
  }

  /**
   * Loads past runs. With `resume` (the process that owns the data dir: the server, or a command
   * when no server runs), runs whose process is gone are taken over: a queued one is queued here,
   * a running one is marked failed (interrupted). Runs of a process that still runs are left to it.
   */
  async init(o: { resume?: boolean } = {}): Promise<void> {
    if (this.initialized) return; // once per process: a second call must not queue runs twice
    this.initialized = true;
    const resume = o.resume ?? true;
    for (const r of await this.deps.runs.list()) {
      this.records.set(r.id, r);
      if (!resume || TERMINAL.has(r.status) || isAlive(r.owner)) continue;
      if (r.status === 'running') {
        r.status = 'failed';
        r.error = 'interrupted: the process training it stopped; rerun it';
        r.finishedAt = new Date().toISOString();
        await this.save(r);
      } else if (r.status === 'queued') {
        r.owner = thisProcess();
        await this.save(r);
        this.queue.push(r.id);
      }
    }
    this.pump();
  }

  /**
   * Follows the runs other processes record in the same data dir (a CLI `train` or `retrain` beside
   * the server): their records are read as they change, every `everyMs`, and announced as events, so
   * the console shows them live like its own. Stopped by `close()`.
   */
  followOthers(everyMs = 1000): void {
    if (this.othersTimer) return;
    let since = Date.now() - 60_000;
    let busy = false;
    this.othersTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.readOthers(since)
        .then((last) => {
          // a writer's clock may run a little behind ours, and a write may commit late: look back 5 s
          if (last !== undefined) since = Math.max(since, last - 5000);
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, everyMs);
    this.othersTimer.unref();
  }

  private async readOthers(since: number): Promise<number | undefined> {
    let last: number | undefined;
    for (const { run: r, updatedAt } of await this.deps.runs.changedSince(since)) {
      last = updatedAt;
      if (this.running?.id === r.id || this.queue.includes(r.id)) continue; // ours: events come from our worker
      const known = this.records.get(r.id);
      const sameLabels = known?.name === r.name && (known?.tags ?? []).join(',') === (r.tags ?? []).join(',');
      if (
        known &&
        sameLabels &&
        known.status === r.status &&
        known.history.epochs.length === r.history.epochs.length &&
        known.progress?.batch === r.progress?.batch
      )
        continue;
      this.records.set(r.id, r);
      if (known && !sameLabels && TERMINAL.has(r.status)) this.event({ type: 'snapshot', runId: r.id, record: r });
      if (!known || known.status !== r.status) this.event({ type: 'status', runId: r.id, status: r.status, error: r.error });
      if (r.progress && !TERMINAL.has(r.status)) this.event({ type: 'snapshot', runId: r.id, record: r });
      for (const e of r.history.epochs.slice(known?.history.epochs.length ?? 0))
        if (r.progress) this.event({ type: 'epoch', runId: r.id, epoch: e, progress: r.progress });
      if (TERMINAL.has(r.status) && known && !TERMINAL.has(known.status)) this.event({ type: 'done', runId: r.id, record: r });
    }
    return last;
  }

  list(): RunRecord[] {
    return [...this.records.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** the run, or undefined when there is none (a version whose run record was deleted) */
  find(id: string): RunRecord | undefined {
    return this.records.get(id);
  }

  get(id: string): RunRecord {
    const r = this.records.get(id);
    if (!r) throw new RunNotFoundError(id, [...this.records.keys()].slice(-20));
    return r;
  }

  async start(req: StartRunRequest & { rerunOf?: string }): Promise<RunRecord> {
    const base = baseOf(req.model, req.base);
    await this.checkGeneration(req, base);
    const params = resolveParams(req.model, req.params, base);
    checkRunParams(base, params);
    // a service that does not exist failed the run seconds later, a failed run left in the history each time
    const services = this.deps.featureServices?.();
    const service = services?.find((s) => s.name === params.featureService);
    if (services && !service)
      throw new InputError(
        'params.featureService',
        `params.featureService: no feature service "${params.featureService}"; known: ${services.map((s) => s.name).join(', ')}`,
      );
    // a service of the other kind read all its rows before failing "not a token training set"
    const lstm = MODEL_SPECS[base].kind === 'lstm';
    if (services && service && service.tokens !== lstm) {
      const fitting = services.filter((s) => s.tokens === lstm).map((s) => s.name);
      throw new InputError(
        'params.featureService',
        `params.featureService: "${service.name}" ${service.tokens ? 'holds token ids' : 'holds no token ids (features v2)'}; ${base} models (${MODEL_SPECS[base].kind}) train on ${lstm ? 'token ids' : 'numeric features'}: ${fitting.join(', ') || 'no service here has them'}`,
      );
    }
    const labels = cleanLabels(req);
    const r: RunRecord = {
      id: newRunId(),
      model: req.model,
      base,
      status: 'queued',
      params,
      backendRequested: req.backend ?? 'auto',
      note: req.note,
      alias: req.alias,
      ...(labels.name ? { name: labels.name } : {}),
      ...(labels.tags?.length ? { tags: labels.tags } : {}),
      createdAt: new Date().toISOString(),
      history: { epochs: [], batches: [] },
      rerunOf: req.rerunOf,
      owner: thisProcess(),
    };
    this.records.set(r.id, r);
    await this.save(r);
    this.queue.push(r.id);
    this.event({ type: 'status', runId: r.id, status: 'queued' });
    this.pump();
    return r;
  }

  /**
   * One model name, one generation: a forest trained as version 2 of an LSTM model was served under
   * its name (the model list still said v3), a built-in model's `base` was ignored, and a forest's
   * parameters were taken for an LSTM and recorded as if used.
   */
  private async checkGeneration(req: StartRunRequest, base: BuiltinModel): Promise<void> {
    if (isBuiltin(req.model) && req.base !== undefined && req.base !== req.model)
      throw new InputError(
        'base',
        `base: ${req.model} is built as ${req.model}; a base names the generation of a model of your own (give it a name of its own)`,
      );
    if (!isBuiltin(req.model)) {
      const versions = await this.registry.list(req.model).catch(() => []);
      const other = versions.find((v) => v.base !== base);
      const pending = [...this.records.values()].find((r) => r.model === req.model && (r.status === 'queued' || r.status === 'running') && r.base !== base);
      const holds = other
        ? `version ${other.version} built as ${other.base}`
        : pending
          ? `run ${pending.id} (${pending.status}) built as ${pending.base}`
          : undefined;
      if (holds)
        throw new InputError(
          'base',
          `base: model "${req.model}" holds ${holds}; a version built as ${base} would serve another generation under the same name: train it under a name of its own`,
        );
    }
    const own = MODEL_SPECS[base].defaults as Record<string, unknown>;
    for (const k of Object.keys(req.params ?? {})) {
      if (k in own) continue;
      const of = Object.values(MODEL_SPECS).find((s) => k in s.defaults);
      if (of)
        throw new InputError(
          `params.${k}`,
          `params.${k}: a parameter of ${of.kind} models; ${req.model} is built as ${base} (${MODEL_SPECS[base].kind}), which takes ${Object.keys(own).join(', ')}`,
        );
    }
  }

  /** a rerun's data against the data of the run it repeats (said, never silent: a hostile probe found 310,540 rows where 7,528 were) */
  private rerunData(of: string, data: NonNullable<RunRecord['data']>): NonNullable<RunRecord['rerunData']> {
    const was = this.records.get(of)?.data;
    if (!was?.checksum || !data.checksum) return { same: false, detail: `the data of run ${of} was not recorded: it cannot be compared` };
    if (was.checksum === data.checksum)
      return { same: true, detail: `the same ${data.entities.toLocaleString('en')} rows and labels as run ${of} (checksum ${data.checksum.slice(0, 12)})` };
    return {
      same: false,
      detail:
        `not the data of run ${of}: ${data.entities.toLocaleString('en')} rows (checksum ${data.checksum.slice(0, 12)}) against ${was.entities.toLocaleString('en')} ` +
        `(${was.checksum.slice(0, 12)}). The data is read again at the same time freeze (${data.timeFreeze}): rows imported or labelled since with earlier event times are in it`,
    };
  }

  /** the same model, parameters (seed included) and backend as an earlier run */
  async rerun(id: string): Promise<RunRecord> {
    const old = this.get(id);
    return this.start({
      model: old.model,
      base: old.base,
      params: old.params,
      backend: old.backendRequested,
      alias: old.alias,
      note: `rerun of ${id}`,
      rerunOf: id,
    });
  }

  /**
   * Renames a run or changes its tags: `tags` replaces them all, `add` and `remove` change some; an
   * empty name removes it. Its versions show the new ones (they are read from the run).
   */
  async label(id: string, body: RunLabelsBody): Promise<RunRecord> {
    const r = this.get(id);
    const current = r.tags ?? [];
    const tags = body.tags ?? current;
    const next = [...tags.filter((t) => !body.remove?.includes(t)), ...(body.add ?? [])];
    const labels = cleanLabels({ name: body.name ?? r.name, tags: next });
    if (labels.name) r.name = labels.name;
    else delete r.name;
    if (labels.tags?.length) r.tags = labels.tags;
    else delete r.tags;
    await this.save(r);
    this.event({ type: 'snapshot', runId: r.id, record: r });
    return r;
  }

  async cancel(id: string): Promise<RunRecord> {
    const r = this.get(id);
    // cancelling twice is no error; a run that succeeded or failed cannot be cancelled any more
    if (r.status === 'cancelled') return r;
    if (TERMINAL.has(r.status)) throw new RunEndedError(r, false);
    // another process's run (seen through the store): its own process trains it and alone can stop
    // it. Taken for ours, a queued one was marked cancelled here while its process went on, and the
    // last run of this queue was dropped in its place (never trained, queued for ever)
    if (!this.queue.includes(id) && this.running?.id !== id) throw new RunOfAnotherProcessError(r);
    if (r.status === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      await this.finish(r, 'cancelled');
    } else if (r.status === 'running' && this.running?.id === id) {
      // trained, and its version on its way into the registry: said so, not answered as if cancelled
      if (this.running.ending) throw new RunEndedError(r, true);
      Atomics.store(this.running.flag, 0, 1);
      // a worker stuck outside the batch loop (e.g. loading data) is stopped after a grace period
      const running = this.running;
      running.killTimer = setTimeout(() => void running.worker.terminate(), 10_000);
    }
    return r;
  }

  /** resolves once the run has ended */
  async wait(id: string): Promise<RunRecord> {
    const r = this.get(id);
    if (TERMINAL.has(r.status)) return r;
    return new Promise((resolve) => {
      const on = (e: TrainEvent) => {
        if (e.type === 'done' && e.runId === id) {
          this.off('event', on);
          resolve(e.record);
        }
      };
      this.on('event', on);
    });
  }

  /** resolves when nothing is queued or running */
  async drained(): Promise<void> {
    while (this.running || this.queue.length) await new Promise((r) => setTimeout(r, 50));
    await this.idle;
  }

  async close(): Promise<void> {
    if (this.othersTimer) clearInterval(this.othersTimer);
    this.othersTimer = undefined;
    this.queue.length = 0;
    if (this.running) {
      Atomics.store(this.running.flag, 0, 1);
      await this.running.worker.terminate();
    }
  }

  private event(e: RunEvent): void {
    this.emit('event', e);
  }

  private async save(r: RunRecord, throttle = false): Promise<void> {
    const now = Date.now();
    if (throttle && now - this.lastSave < 2000) return;
    this.lastSave = now;
    await this.deps.runs.put(r);
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const id = this.queue.shift()!;
    const r = this.records.get(id)!;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    r.status = 'running';
    r.startedAt = new Date().toISOString();
    let worker: Worker;
    try {
      worker = spawnWorker(
        {
          settings: this.deps.worker,
          job: { runId: id, model: r.model, base: r.base ?? baseOf(r.model), params: r.params, backend: r.backendRequested },
          cancelFlag: flag.buffer as SharedArrayBuffer,
        },
        this.memoryLimitMb,
      );
    } catch (e) {
      void this.finish(r, 'failed', `could not start a training worker: ${(e as Error).message}`);
      return;
    }
    this.running = { id, worker, flag };
    void this.save(r);
    this.event({ type: 'status', runId: id, status: 'running' });
    let ended = false;
    const end = (status: RunRecord['status'], error?: string, outcome?: TrainOutcome) => {
      if (ended) return;
      ended = true;
      if (this.running) this.running.ending = true;
      if (this.running?.killTimer) clearTimeout(this.running.killTimer);
      this.idle = this.finish(r, status, error, outcome).finally(() => {
        this.running = undefined;
        this.pump();
      });
    };
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'backend':
          r.backend = m.backend;
          this.event({ type: 'status', runId: id, status: 'running', backend: m.backend });
          break;
        case 'data':
          r.data = m.data;
          void this.save(r);
          this.event({ type: 'data', runId: id, data: m.data });
          break;
        case 'batch':
          r.history.batches.push(m.batch);
          r.progress = m.progress;
          void this.save(r, true);
          this.event({ type: 'batch', runId: id, batch: m.batch, progress: m.progress! });
          break;
        case 'epoch':
          r.history.epochs.push(m.epoch);
          r.progress = m.progress;
          void this.save(r);
          this.event({ type: 'epoch', runId: id, epoch: m.epoch, progress: m.progress! });
          break;
        case 'done':
          // a cancel asked for after the last batch (while the worker evaluated and saved): honoured,
          // its staged files removed, no version registered (it was answered 200, and registered)
          if (Atomics.load(flag, 0) === 1) end('cancelled');
          else end('succeeded', undefined, m.outcome);
          break;
        case 'error':
          end(m.cancelled ? 'cancelled' : 'failed', m.cancelled ? undefined : m.message);
          break;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      end(
        'failed',
        oom
          ? `the training worker ran out of memory (limit ${this.memoryLimitMb} MB): lower batchSize, embeddingDim or lstmUnits`
          : `the training worker crashed: ${e.message}`,
      );
    });
    worker.on('exit', (code) => {
      if (Atomics.load(flag, 0) === 1) end('cancelled');
      else end('failed', `the training worker exited unexpectedly (code ${code})`);
    });
  }

  /**
   * The import jobs whose data a run read: every import that succeeded before the run started (the
   * warehouse holds no import id per message, so an import counts whole), and every one that had
   * stored rows by then without succeeding first: under way (its rows stored before the run read the
   * warehouse are in) or stopped partway (the rows it stored are in). Only the succeeded ones were
   * listed, and a version trained on an import's rows did not name it (a hostile probe). Newest
   * first, as stored.
   */
  private async importsBefore(startedAt: string): Promise<LineageImport[]> {
    const store = this.deps.imports;
    const out: LineageImport[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.page({ limit: 200, before });
      for (const j of page) {
        if (j.createdAt > startedAt) continue;
        const inserted = j.report?.inserted ?? 0;
        if (j.status === 'succeeded' && j.finishedAt && j.finishedAt <= startedAt)
          out.push({ id: j.id, source: j.source.name, finishedAt: j.finishedAt, inserted, status: 'succeeded' });
        // one that failed having stored nothing gave the run no row (a probe found such imports listed)
        else if (inserted > 0 || (!j.finishedAt && j.steps.some((s) => s.key === 'read' && s.status !== 'pending' && s.status !== 'skipped')))
          out.push({
            id: j.id,
            source: j.source.name,
            ...(j.finishedAt && j.finishedAt <= startedAt ? { finishedAt: j.finishedAt } : {}),
            inserted,
            status: j.finishedAt && j.finishedAt <= startedAt ? 'failed' : 'running',
          });
      }
      if (page.length < 200) return out;
      before = page[page.length - 1].id;
    }
  }

  private async finish(r: RunRecord, status: RunRecord['status'], error?: string, outcome?: TrainOutcome): Promise<void> {
    r.finishedAt = new Date().toISOString();
    if (r.startedAt) r.durationMs = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
    r.progress = r.progress && { ...r.progress, etaSeconds: 0 };
    if (outcome) {
      if (r.rerunOf) r.rerunData = this.rerunData(r.rerunOf, outcome.data);
      try {
        r.backend = outcome.backend;
        r.data = outcome.data;
        r.history = outcome.history;
        r.metrics = outcome.metrics;
        const spec = MODEL_SPECS[r.base ?? baseOf(r.model)];
        const v = await this.registry.register(outcome.stagingDir, {
          name: r.model,
          base: r.base ?? baseOf(r.model),
          runId: r.id,
          kind: spec.kind,
          featureExtractor: spec.featureExtractor,
          featureService: r.params.featureService,
          inputShape: outcome.inputShape,
          labels: ['ham', 'spam'],
          metrics: outcome.metrics,
          params: r.params,
          backend: outcome.backend,
          data: outcome.data,
          lineage: {
            tokenizerFingerprint: outcome.tokenizerFingerprint,
            featureService: outcome.data.featureService,
            registryVersion: outcome.data.registryVersion,
            imports: await this.importsBefore(r.startedAt ?? r.createdAt),
            code: this.deps.code,
          },
        });
        r.version = v.version;
        if (v.duplicate) r.duplicateOf = v.version;
        // relative to the models dir, as the version's folder (the data dir may move)
        r.artifacts = [...outcome.artifacts, 'metadata.json'].map((f) => `${r.model}/${v.version}/${f}`);
        if (r.alias) await this.registry.setAlias(r.model, r.alias, v.version);
      } catch (e) {
        status = 'failed';
        error = `trained, but registering the model failed: ${(e as Error).message}`;
      }
    } else {
      rmSync(stagingDirFor(this.deps.worker.modelsDir, r.id), { recursive: true, force: true });
    }
    r.status = status;
    if (error) r.error = error;
    await this.save(r);
    this.event({ type: 'status', runId: r.id, status, error });
    this.event({ type: 'done', runId: r.id, record: r });
  }
}

/**
 * What can be known wrong before a run starts is refused at once, by name: a pattern RE2 cannot
 * run, parameters the model's family knows it cannot train with (an LSTM that cannot fit the
 * kernel's memory would fail minutes later, mid-run).
 */
function checkRunParams(base: string, p: RunRecord['params']): void {
  if (p.entityIdPattern) compileUserPattern(p.entityIdPattern, 'params.entityIdPattern');
  parseTimestamp(p.timeFreeze, 'params.timeFreeze');
  const spec = MODEL_SPECS[base as keyof typeof MODEL_SPECS];
  if (spec) familyOf(spec.kind).checkParams?.(p);
}
