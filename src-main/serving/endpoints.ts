/**
 * What the serving routes do, without HTTP: answer from the cache or the model, then (after the
 * answer) write the cache and the call log and record the prediction for monitoring. The route
 * plugin only parses and answers; errors are domain errors (NotServedError, NoModelYetError,
 * UnknownModelError, FeatureVectorError), mapped to statuses in api/errors.ts.
 */
import type { CallLog, CallLogEntry } from '../storage';
import type { ModelRegistry } from '../models';
import type { ModelName } from '../../src-shared/training';
import type { CallLogRow, FeaturesAnswer, PredictionAnswer, ServingStatsAnswer, TopPredictionsAnswer, VersionPredictionAnswer } from '../../src-shared/serving';
import { NoModelYetError, NotServedError, pinnedKey, type ServedModels } from './served';
import { thresholdOf, top, type Prediction, type ServedModel } from './models';
import { ServingStats } from './request-stats';
import { TextNotes } from './text-notes';
import { MicroBatcher, type MicroBatchSettings, type OffThreadRun } from './micro-batcher';

const CALL_LOG_TTL_SECONDS = 3600;
const CALL_LOG_MAX_ROWS = 10_000;

export type Endpoint = 'text_to_features' | 'features_to_prediction' | 'text_to_prediction';

/** a model id that no version was ever registered under (`/prediction`'s model_id) */
export class UnknownModelError extends Error {
  constructor(
    readonly model: string,
    readonly known: string[],
  ) {
    super(`no model "${model}" is registered; models: ${known.join(', ')}`);
  }
}

/** a served prediction, handed to monitoring (serving knows nothing of it) */
export interface ServedPredictionNote {
  endpoint: string;
  caller: string;
  features: number[];
  spam: number;
  text?: string;
  /** the unknown-word rate of `text`, when already computed (null: the model has none) */
  oov?: number | null;
  /** `features` as JSON, when already made */
  featuresJson?: string;
}

export interface ServingEndpointsDeps {
  served: ServedModels;
  callLog: CallLog;
  models: Pick<ModelRegistry, 'resolve' | 'names'>;
  /** every served prediction (monitoring's recorder: an in-memory append) */
  recordServed: (model: ServedModel, p: ServedPredictionNote) => void;
  /** a background write that failed (cache, call log): logged, never the caller's problem */
  warn: (e: unknown) => void;
  /** how concurrent uncached requests are gathered into one predict call (DEFAULT_MICRO_BATCH when absent) */
  batching?: Partial<MicroBatchSettings>;
  /** a helper thread for the batches of models worth one (the LSTMs); absent, every batch runs in this thread */
  offThread?: OffThreadRun;
}

/** what answers a request: the model, the key its answers are cached under, the name its calls are logged under */
interface AnswerTarget {
  /** the model, asked for only when the answer is not in the memory cache */
  model: () => Promise<ServedModel>;
  /** the model if it is loaded now, else undefined (then `model()` loads it, or says why not) */
  loaded: () => ServedModel | undefined;
  /**
   * the cache's name for what a model answers as: its version, run and threshold (pinnedKey). An
   * answer is read and written under the model that computed it, so one computed by a version
   * just replaced (a promotion, a new threshold) is never read for the next one, in this process
   * or after a restart.
   */
  cacheKeyOf: (m: ServedModel) => string;
  logAs: string;
}

/** what a prediction route records for monitoring once it has its answer (the text or the features asked) */
interface Recorded {
  features?: number[];
  text?: string;
}

/** the request flags of the `/model/{v}/…` routes */
export interface AnswerFlags {
  echo_input?: boolean;
  skip_cache?: boolean;
}

export class ServingEndpoints {
  readonly stats = new ServingStats();
  private callLogBuffer: CallLogEntry[] = [];
  /** each text's features and unknown-word rate, for recording its answers (cached ones too) */
  private readonly notes = new TextNotes();

  /** concurrent uncached predictions of a version answered by one predict call (the LSTM's kernel runs them as one batch) */
  readonly batcher: MicroBatcher;

  constructor(private readonly deps: ServingEndpointsDeps) {
    this.batcher = new MicroBatcher(deps.batching, deps.offThread);
  }

  /** the flushes so far, in order: a flush resolves once every entry taken before it is stored */
  private callLogFlushed: Promise<void> = Promise.resolve();

  /**
   * the call log is written in batches, after the responses; a flush waits for the one before it
   * (a reader flushing right after a timer's flush took the buffer would otherwise read too early)
   */
  flushCallLog = (): Promise<void> => {
    const entries = this.callLogBuffer;
    this.callLogBuffer = [];
    this.callLogFlushed = this.callLogFlushed.then(async () => {
      if (entries.length) await this.deps.callLog.appendMany(entries, CALL_LOG_TTL_SECONDS).catch(this.deps.warn);
    });
    return this.callLogFlushed;
  };

  // What each route computes on a miss. Made once, not per request: a hot input is answered
  // without building a closure (under tsx each closure also gets its name set, ~0.5 µs).
  private readonly featuresOfText = (m: ServedModel, text: string) => ({ features: m.textToFeatures(text) });
  private readonly predictionOfFeatures = (m: ServedModel, features: unknown[]) => this.predicted(m, m.checkFeatures(features));
  private readonly predictionOfText = (m: ServedModel, text: string) => this.predicted(m, this.notes.of(m, text).features);
  private readonly predictionOfTextUnnoted = (m: ServedModel, text: string) => this.predicted(m, m.textToFeatures(text));

  /** a row's prediction as answered: at once where the model predicts each row at once (the forest), else once its batch has run */
  private predicted(m: ServedModel, row: number[]): PredictionShape | Promise<PredictionShape> {
    if (this.batcher.predictsAtOnce(m)) return predictionOf(m.predict([row])[0], thresholdOf(m));
    return this.predictedInBatch(m, row);
  }

  private async predictedInBatch(m: ServedModel, row: number[]): Promise<PredictionShape> {
    return predictionOf(await this.batcher.predict(m, row), thresholdOf(m));
  }

  // The routes answer at once, not through a promise, whatever needs no wait: a hot input, and
  // past the cache a model that predicts at once. Fastify sends an answer a handler returns as
  // is, where a promise costs each level an allocation and a turn of the queue.

  textToFeatures(version: string, text: string, flags: AnswerFlags, caller: string): FeaturesAnswer | Promise<FeaturesAnswer> {
    const target = this.servedTarget(version);
    const key = JSON.stringify(text);
    return (
      this.hotAnswer<FeaturesAnswer>(target, 'text_to_features', key, text, flags, caller, undefined) ??
      this.answer(target, 'text_to_features', key, text, flags, caller, undefined, this.featuresOfText)
    );
  }

  featuresToPrediction(version: string, features: unknown[], flags: AnswerFlags, caller: string): PredictionAnswer | Promise<PredictionAnswer> {
    const target = this.servedTarget(version);
    const key = JSON.stringify(features);
    const rec = { features: features as number[] };
    return (
      this.hotAnswer<PredictionAnswer>(target, 'features_to_prediction', key, features, flags, caller, rec) ??
      this.answer(target, 'features_to_prediction', key, features, flags, caller, rec, this.predictionOfFeatures)
    );
  }

  predictText(version: string, text: string, flags: AnswerFlags, caller: string): PredictionAnswer | Promise<PredictionAnswer> {
    const target = this.servedTarget(version);
    const key = JSON.stringify(text);
    const rec = { text };
    return (
      this.hotAnswer<PredictionAnswer>(target, 'text_to_prediction', key, text, flags, caller, rec) ??
      this.answer(target, 'text_to_prediction', key, text, flags, caller, rec, this.predictionOfText)
    );
  }

  /**
   * "Try it" against any registered version of a model (a number or an alias), served or not. Its
   * answers are cached under the version, run and threshold (never stale), its calls logged as
   * `name@version`; it is not recorded for monitoring: an operator's trial is not traffic.
   */
  async predictWithVersion(name: string, ref: string, text: string, flags: AnswerFlags, caller: string): Promise<VersionPredictionAnswer> {
    const { model: m, version: v } = await this.deps.served.getVersion(name, ref);
    const cacheKey = pinnedKey(v);
    const target: AnswerTarget = { model: () => Promise.resolve(m), loaded: () => m, cacheKeyOf: () => cacheKey, logAs: `${name}@${v.version}` };
    const key = JSON.stringify(text);
    const r =
      this.hotAnswer<PredictionAnswer>(target, 'text_to_prediction', key, text, flags, caller, undefined) ??
      (await this.answer(target, 'text_to_prediction', key, text, flags, caller, undefined, this.predictionOfTextUnnoted));
    return { ...r, model: name, version: v.version, asked: ref, aliases: v.aliases, threshold: thresholdOf(m) ?? null };
  }

  /**
   * The text-classification service (seed 002): the top `nTop` labels. `record`: POST only; a GET
   * never changes state, since any web page can send one (`<img src>`).
   */
  async topPredictions(modelId: string, text: string, nTop: number, record: boolean): Promise<TopPredictionsAnswer> {
    let m: ServedModel;
    try {
      m = await this.deps.served.getAny(modelId);
    } catch (e) {
      if (e instanceof NoModelYetError) throw new UnknownModelError(modelId, await this.deps.models.names());
      throw e;
    }
    const features = m.textToFeatures(text);
    const p = await this.batcher.predict(m, features);
    // the verdict at the version's threshold first, then the other label
    const first = top(p, thresholdOf(m)).label;
    const ranked = [
      { label: 'ham', score: p.ham },
      { label: 'spam', score: p.spam },
    ].sort((a, b) => (a.label === first ? -1 : b.label === first ? 1 : 0));
    if (record) this.deps.recordServed(m, { endpoint: 'prediction', caller: 'api', features, spam: p.spam, text });
    return { model_id: modelId, version: m.version, text, predictions: ranked.slice(0, nTop) };
  }

  /** throws NotServedError unless the version is served here */
  checkServed(version: string): void {
    if (!this.deps.served.isServed(version)) throw new NotServedError(version, [...this.deps.served.names]);
  }

  /**
   * The caller's calls of a served version in the last hour, newest first, at most 10,000 (check the
   * version first). `withTried`: also the "Try it" calls of its registered versions (`v3@2`);
   * `version` undefined: every model's calls.
   */
  async *recentCalls(version: string | undefined, caller: string, o: { withTried?: boolean } = {}): AsyncGenerator<CallLogRow> {
    await this.flushCallLog(); // the caller's latest calls are part of the answer
    let n = 0;
    for await (const r of this.deps.callLog.recent(caller, Date.now() - CALL_LOG_TTL_SECONDS * 1000)) {
      if (version !== undefined && r.version !== version && !(o.withTried && r.version.startsWith(`${version}@`))) continue;
      if (++n > CALL_LOG_MAX_ROWS) break;
      yield { caller_id: r.caller_id, called_at: new Date(r.called_at).toISOString(), endpoint: r.endpoint, version: r.version, input_json: r.input_json };
    }
  }

  /** served versions and the request statistics of the last hour (or `windowMs`) */
  async statsAnswer(windowMs?: number): Promise<ServingStatsAnswer> {
    const s = this.deps.served;
    const served = await Promise.all(
      s.names.map(async (name: ModelName) => {
        const v = await this.deps.models.resolve(name, s.alias);
        return { name, version: v?.version ?? null, aliases: v?.aliases ?? [], loaded: s.current(name)?.version ?? null };
      }),
    );
    return { served, ...this.stats.snapshot({ windowMs }), batches: this.batcher.snapshot() };
  }

  /** the targets of served model ids, made once each */
  private readonly servedTargets = new Map<string, AnswerTarget>();

  /** a served model id: logged under its name, cached under the version it answers with */
  private servedTarget(version: string): AnswerTarget {
    const known = this.servedTargets.get(version);
    if (known) return known;
    const served = this.deps.served;
    // the key of the model last asked about, made once per loaded model (not per request)
    let keyed: ServedModel | undefined;
    let key = '';
    const target: AnswerTarget = {
      model: () => served.get(version),
      loaded: () => (served.isServed(version) ? served.current(version) : undefined),
      cacheKeyOf: (m) => {
        if (m !== keyed) {
          key = pinnedKey(m.info);
          keyed = m;
        }
        return key;
      },
      logAs: version,
    };
    // kept for served names only: any other name answers 404, and a caller may send many
    if (this.deps.served.isServed(version)) this.servedTargets.set(version, target);
    return target;
  }

  /**
   * A hot input's answer from memory, at once (the call is logged, the prediction recorded), or
   * undefined: the model is not loaded yet, the input is not in the memory cache, or `skip_cache`.
   * `key`: the input as JSON.
   */
  private hotAnswer<T extends object>(
    target: AnswerTarget,
    endpoint: Endpoint,
    key: string,
    input: unknown,
    flags: AnswerFlags,
    caller: string,
    rec: Recorded | undefined,
  ): T | undefined {
    if (flags.skip_cache) return undefined;
    const m = target.loaded();
    if (m === undefined) return undefined;
    const hot = this.deps.served.cache.peekAnswer(endpoint, target.cacheKeyOf(m), key) as T | undefined;
    if (hot === undefined) return undefined;
    this.stats.hits++;
    this.afterAnswer(caller, target, endpoint, key);
    if (rec) this.record(m, endpoint, caller, hot, true, rec);
    return flags.echo_input ? { ...hot, input } : hot;
  }

  /**
   * An answer not in the memory cache. Past the cache (`skip_cache`: no stored answer to read
   * first) with the model loaded, it is computed here and now, and given at once where `compute`
   * needs no wait (the forest's prediction, any features); else read from the stored cache or
   * computed once the model is there.
   */
  private answer<I, T extends object>(
    target: AnswerTarget,
    endpoint: Endpoint,
    key: string,
    input: I,
    flags: AnswerFlags,
    caller: string,
    rec: Recorded | undefined,
    compute: (m: ServedModel, input: I) => T | Promise<T>,
  ): Sent<T> | Promise<Sent<T>> {
    // one request's answer, from here on (built on a miss only: a hot answer never gets here)
    const r: Asked<I> = { target, endpoint, key, input, flags, caller, rec };
    const m = flags.skip_cache ? target.loaded() : undefined;
    if (m === undefined) return this.answerLater(r, compute);
    const out = compute(m, input);
    return out instanceof Promise ? out.then((o) => this.computed(r, m, o)) : this.computed(r, m, out);
  }

  /** an answer `m` computed, as sent; the call logged, the answer cached under `m` and recorded with it */
  private computed<T extends object>(r: Asked<unknown>, m: ServedModel, out: T): Sent<T> {
    this.afterAnswer(r.caller, r.target, r.endpoint, r.key, JSON.stringify(out), r.target.cacheKeyOf(m));
    if (r.rec) this.record(m, r.endpoint, r.caller, out, false, r.rec);
    return withFlags(out, false, r.flags.echo_input, r.input);
  }

  /** once the model is loaded: the stored cache's answer, else one computed */
  private async answerLater<I, T extends object>(r: Asked<I>, compute: (m: ServedModel, input: I) => T | Promise<T>): Promise<Sent<T>> {
    const m = await r.target.model();
    if (!r.flags.skip_cache) {
      const hit = await this.deps.served.cache.get(r.endpoint, r.target.cacheKeyOf(m), r.key);
      if (hit !== undefined) {
        this.stats.hits++;
        this.afterAnswer(r.caller, r.target, r.endpoint, r.key);
        const answer = JSON.parse(hit) as T;
        if (r.rec) this.record(m, r.endpoint, r.caller, answer, true, r.rec);
        return withFlags(answer, true, r.flags.echo_input, r.input);
      }
      this.stats.misses++;
    }
    return this.computed(r, m, await compute(m, r.input));
  }

  /** after the answer: the call log, and a computed `output` cached under `cacheKey`, so the caller does not wait for them */
  private afterAnswer(caller: string, target: AnswerTarget, endpoint: Endpoint, inputKey: string, output?: string, cacheKey?: string): void {
    if (this.callLogBuffer.length === 0) setTimeout(() => void this.flushCallLog(), 20);
    this.callLogBuffer.push({ caller_id: caller, called_at: Date.now(), endpoint, version: target.logAs, input_json: inputKey });
    if (output !== undefined && cacheKey !== undefined)
      setImmediate(() => void this.deps.served.cache.set(endpoint, cacheKey, inputKey, output).catch(this.deps.warn));
  }

  /**
   * every served prediction goes to monitoring, with the model that answered (its label at that
   * model's threshold: the one the caller was given, even when a new version or threshold came
   * in while the answer was computed)
   */
  private record(m: ServedModel, endpoint: string, caller: string, answer: object, fromCache: boolean, rec: Recorded): void {
    const spam = (answer as PredictionShape).prediction.spam;
    const { features, text } = rec;
    if (features) this.deps.recordServed(m, { endpoint, caller, features, spam, text });
    else {
      // a computed answer's note was made for it: not a second sight of its text
      const note = this.notes.of(m, text ?? '', fromCache);
      this.deps.recordServed(m, { endpoint, caller, features: note.features, spam, text, oov: note.oov, featuresJson: note.featuresJson });
    }
  }
}

/**
 * An answer as sent: `from_cache`, and the input when asked to echo it, added to the answer itself
 * (always a fresh object: computed for this request, or parsed from the stored JSON). A spread
 * copy cost more than the rest of the answer: it left the copy in a shape that Fastify's
 * serializer reads slowly (v1 uncached, in the profile: 2.7 µs per request against 0.4).
 */
function withFlags<T extends object>(out: T, fromCache: boolean, echo: boolean | undefined, input: unknown): Sent<T> {
  const sent = out as Sent<T>;
  sent.from_cache = fromCache;
  if (echo) sent.input = input;
  return sent;
}

/** an answer as sent: the computed or cached one, with `from_cache` and the echoed input */
type Sent<T> = T & { from_cache: boolean; input?: unknown };

/** what one request asks past the memory cache: where its answer comes from, and how it is sent */
interface Asked<I> {
  target: AnswerTarget;
  endpoint: Endpoint;
  key: string;
  input: I;
  flags: AnswerFlags;
  caller: string;
  /** recorded for monitoring, with the model that answered (absent: not recorded) */
  rec: Recorded | undefined;
}

type PredictionShape = ReturnType<typeof predictionOf>;
const predictionOf = (p: Prediction, threshold: number | undefined) => ({ prediction: { ham: p.ham, spam: p.spam }, top: top(p, threshold) });
