/**
 * The seed's `create_offline_sources_1/2` and `create_tokenizer_2`: from the labelled
 * messages of the warehouse to the Parquet sources of the feature store, with the event times
 * the story gives them, and the v2 tokenizer fitted on the training ids.
 */
import { FeatureExtractorV1, KerasTokenizer } from '../features';
import { definitionsForStage, fieldsOfSource, LATEST_STAGE, SOURCE_EVENT_TIMES, type BaseWriter, type OfflineRow, type Progress } from '../featurestore';
import type { FileSourceDef } from '../../src-shared/featurestore';
import type { LabelledMessage } from '../storage';
import type { Engines } from '../engines';

export interface SourcesReport {
  messages: number;
  tokenizer: { fittedOn: number; vocabulary: number; dir: string };
  sources: { source: string; rows: number; file: string }[];
  durationMs: number;
}

/** What building the sources reads (the warehouse) and writes (the offline store, the tokenizer). */
export type OfflineSourcesDeps = Pick<Engines, 'storage' | 'features' | 'tokenizers'>;

const BATCH = 5000;

/**
 * Writes a new base part of each file source (the previous base is retired; pushed parts are
 * kept, after it) and fits the tokenizer on the training ids (all messages when none are given).
 * The warehouse is read in batches, twice at most (the fit, then the rows), and the rows go to
 * DuckDB in chunks: memory stays bounded whatever the number of messages.
 *
 * `keepTokenizer`: encode with the tokenizer the data dir has (the released one, or an earlier
 * fit) instead of fitting a new one: the models served keep meaning the same token ids.
 */
export async function buildOfflineSources(
  deps: OfflineSourcesDeps,
  trainingIds?: string[],
  onStep?: (s: string) => void,
  o: { keepTokenizer?: boolean; onProgress?: Progress } = {},
): Promise<SourcesReport> {
  const t0 = performance.now();
  const total = await deps.storage.labelled.count();
  if (total === 0) throw new Error('no labelled messages in the warehouse: run `spamops import <file>` first');
  const wanted = trainingIds ? new Set(trainingIds) : undefined;
  let tokenizer: KerasTokenizer;
  if (o.keepTokenizer && deps.tokenizers.exists()) {
    tokenizer = deps.tokenizers.get();
    onStep?.(
      `encoding with the data dir's tokenizer (${Object.keys(tokenizer.state.wordIndex).length} words, fitted on ${tokenizer.state.documentCount} messages)`,
    );
  } else {
    onStep?.(`fitting the v2 tokenizer on ${wanted ? `the ${wanted.size} training ids` : `all ${total} messages`}`);
    const fit = KerasTokenizer.fitter();
    let seen = 0;
    let fitted = 0;
    // insertion order: equal word counts keep first-appearance order, as in Keras
    for await (const batch of deps.storage.labelled.scan({ batchSize: BATCH, ordered: true })) {
      for (const m of batch)
        if (!wanted || wanted.has(m.sms_id)) {
          fit.add(m.text);
          fitted += 1;
        }
      seen += batch.length;
      o.onProgress?.({ view: 'tokenizer fit', done: seen, total });
    }
    if (fitted === 0) throw new Error('none of the training ids is among the imported messages: check the training ids file');
    tokenizer = fit.done();
    deps.tokenizers.save(tokenizer);
  }

  const defs = definitionsForStage(LATEST_STAGE);
  const v1 = new FeatureExtractorV1();
  const created = Date.now();
  const build: Record<string, (m: LabelledMessage) => OfflineRow['values']> = {
    smss1: (m) => v1.extract(m.text),
    labels: (m) => ({ label: m.label }),
    smss2: (m) => ({ features: tokenizer.encode(m.text) }),
  };
  const targets: { source: FileSourceDef; values: (m: LabelledMessage) => OfflineRow['values']; eventTs: number; writer: BaseWriter }[] = [];
  try {
    for (const source of defs.sources.filter((s): s is FileSourceDef => s.kind === 'file')) {
      const values = build[source.name];
      if (!values) continue;
      const writer = await deps.features.offline.baseWriter(source, 'sms_id', fieldsOfSource(defs, source.name));
      targets.push({ source, values, eventTs: Date.parse(SOURCE_EVENT_TIMES[source.name]), writer });
    }
    onStep?.(`writing offline sources ${targets.map((t) => t.source.name).join(', ')} (${total} rows each)`);
    let done = 0;
    for await (const batch of deps.storage.labelled.scan({ batchSize: BATCH })) {
      for (const t of targets) await t.writer.add(batch.map((m) => ({ entityKey: m.sms_id, eventTs: t.eventTs, createdTs: created, values: t.values(m) })));
      done += batch.length;
      o.onProgress?.({ view: 'offline sources', done, total });
    }
  } catch (e) {
    for (const t of targets) await t.writer.abort();
    throw e;
  }
  const sources: SourcesReport['sources'] = [];
  for (const [i, t] of targets.entries()) {
    try {
      onStep?.(`writing ${t.source.name} to Parquet`);
      const r = await t.writer.publishAsBase();
      sources.push({ source: t.source.name, rows: r.rows, file: r.file });
    } catch (e) {
      for (const rest of targets.slice(i + 1)) await rest.writer.abort();
      throw e;
    }
  }
  return {
    messages: total,
    tokenizer: { fittedOn: tokenizer.state.documentCount, vocabulary: Object.keys(tokenizer.state.wordIndex).length, dir: deps.tokenizers.dir },
    sources,
    durationMs: performance.now() - t0,
  };
}
