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
  cacheKey: string;
  logAs: string;
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
      this.hotAnswer<FeaturesAnswer>(target, 'text_to_features', key, text, flags, caller) ??
      this.answer(target, 'text_to_features', key, text, flags, caller, this.featuresOfText)
    );
  }

  featuresToPrediction(version: string, features: unknown[], flags: AnswerFlags, caller: string): PredictionAnswer | Promise<PredictionAnswer> {
    const target = this.servedTarget(version);
    const key = JSON.stringify(features);
    const r =
      this.hotAnswer<PredictionAnswer>(target, 'features_to_prediction', key, features, flags, caller) ??
      this.answer(target, 'features_to_prediction', key, features, flags, caller, this.predictionOfFeatures);
    return this.recorded(r, version, 'features_to_prediction', caller, features as number[], undefined);
  }

  predictText(version: string, text: string, flags: AnswerFlags, caller: string): PredictionAnswer | Promise<PredictionAnswer> {
    const target = this.servedTarget(version);
    const key = JSON.stringify(text);
    const r =
      this.hotAnswer<PredictionAnswer>(target, 'text_to_prediction', key, text, flags, caller) ??
      this.answer(target, 'text_to_prediction', key, text, flags, caller, this.predictionOfText);
    return this.recorded(r, version, 'text_to_prediction', caller, undefined, text);
  }

  /** the answer, recorded for monitoring once it is there (at once, or when the promise settles) */
  private recorded(
    r: PredictionAnswer | Promise<PredictionAnswer>,
    version: string,
    endpoint: Endpoint,
    caller: string,
    features: number[] | undefined,
    text: string | undefined,
  ): PredictionAnswer | Promise<PredictionAnswer> {
    if (r instanceof Promise) return this.recordedLater(r, version, endpoint, caller, features, text);
    this.record(version, endpoint, caller, r.prediction.spam, r.from_cache, features, text);
    return r;
  }

  private async recordedLater(
    r: Promise<PredictionAnswer>,
    version: string,
    endpoint: Endpoint,
    caller: string,
    features: number[] | undefined,
    text: string | undefined,
  ): Promise<PredictionAnswer> {
    const answer = await r;
    this.record(version, endpoint, caller, answer.prediction.spam, answer.from_cache, features, text);
    return answer;
  }

  /**
   * "Try it" against any registered version of a model (a number or an alias), served or not. Its
   * answers are cached under the version, run and threshold (never stale), its calls logged as
   * `name@version`; it is not recorded for monitoring: an operator's trial is not traffic.
   */
  async predictWithVersion(name: string, ref: string, text: string, flags: AnswerFlags, caller: string): Promise<VersionPredictionAnswer> {
    const { model: m, version: v } = await this.deps.served.getVersion(name, ref);
    const target: AnswerTarget = { model: () => Promise.resolve(m), loaded: () => m, cacheKey: pinnedKey(v), logAs: `${name}@${v.version}` };
    const key = JSON.stringify(text);
    const r =
      this.hotAnswer<PredictionAnswer>(target, 'text_to_prediction', key, text, flags, caller) ??
      (await this.answer(target, 'text_to_prediction', key, text, flags, caller, this.predictionOfTextUnnoted));
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

  /** a served model id: cached and logged under its name (its cache is cleared when its version changes) */
  private servedTarget(version: string): AnswerTarget {
    const known = this.servedTargets.get(version);
    if (known) return known;
    const served = this.deps.served;
    const target: AnswerTarget = {
      model: () => served.get(version),
      loaded: () => (served.isServed(version) ? served.current(version) : undefined),
      cacheKey: version,
      logAs: version,
    };
    // kept for served names only: any other name answers 404, and a caller may send many
    if (this.deps.served.isServed(version)) this.servedTargets.set(version, target);
    return target;
  }

  /**
   * A hot input's answer from memory, at once (the call is logged), or undefined: the input is not
   * in the memory cache, or `skip_cache`. An entry exists only for a version being served: a
   * version's entries go when it changes or stops being served. `key`: the input as JSON.
   */
  private hotAnswer<T extends object>(
    target: AnswerTarget,
    endpoint: Endpoint,
    key: string,
    input: unknown,
    flags: AnswerFlags,
    caller: string,
  ): T | undefined {
    if (flags.skip_cache) return undefined;
    const hot = this.deps.served.cache.peekAnswer(endpoint, target.cacheKey, key) as T | undefined;
    if (hot === undefined) return undefined;
    this.stats.hits++;
    this.afterAnswer(caller, target, endpoint, key, undefined);
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
    compute: (m: ServedModel, input: I) => T | Promise<T>,
  ): Sent<T> | Promise<Sent<T>> {
    // one request's answer, from here on (built on a miss only: a hot answer never gets here)
    const r: Asked<I> = { target, endpoint, key, input, flags, caller };
    const m = flags.skip_cache ? target.loaded() : undefined;
    if (m === undefined) return this.answerLater(r, compute);
    const out = compute(m, input);
    return out instanceof Promise ? out.then((o) => this.computed(r, o)) : this.computed(r, out);
  }

  /** a computed answer as sent; the call logged and the answer cached after it */
  private computed<T extends object>(r: Asked<unknown>, out: T): Sent<T> {
    this.afterAnswer(r.caller, r.target, r.endpoint, r.key, JSON.stringify(out));
    return withFlags(out, false, r.flags.echo_input, r.input);
  }

  /** once the model is loaded: the stored cache's answer, else one computed */
  private async answerLater<I, T extends object>(r: Asked<I>, compute: (m: ServedModel, input: I) => T | Promise<T>): Promise<Sent<T>> {
    const m = await r.target.model();
    if (!r.flags.skip_cache) {
      const hit = await this.deps.served.cache.get(r.endpoint, r.target.cacheKey, r.key);
      if (hit !== undefined) {
        this.stats.hits++;
        this.afterAnswer(r.caller, r.target, r.endpoint, r.key, undefined);
        return withFlags(JSON.parse(hit) as T, true, r.flags.echo_input, r.input);
      }
      this.stats.misses++;
    }
    return this.computed(r, await compute(m, r.input));
  }

  /** after the answer: cache write and call log, so the caller does not wait for them */
  private afterAnswer(caller: string, target: AnswerTarget, endpoint: Endpoint, inputKey: string, output: string | undefined): void {
    if (this.callLogBuffer.length === 0) setTimeout(() => void this.flushCallLog(), 20);
    this.callLogBuffer.push({ caller_id: caller, called_at: Date.now(), endpoint, version: target.logAs, input_json: inputKey });
    if (output !== undefined) setImmediate(() => void this.deps.served.cache.set(endpoint, target.cacheKey, inputKey, output).catch(this.deps.warn));
  }

  /** every served prediction goes to monitoring, with the model that answered */
  private record(name: string, endpoint: string, caller: string, spam: number, fromCache: boolean, features?: number[], text?: string): void {
    const m = this.deps.served.current(name);
    if (!m) return;
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
}

type PredictionShape = ReturnType<typeof predictionOf>;
const predictionOf = (p: Prediction, threshold: number | undefined) => ({ prediction: { ham: p.ham, spam: p.spam }, top: top(p, threshold) });
