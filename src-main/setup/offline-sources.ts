/**
 * The seed's `create_offline_sources_1/2` and `create_tokenizer_2`: from the labelled
 * messages of the warehouse to the Parquet sources of the feature store, with the event times
 * the story gives them, and the v2 tokenizer fitted on the training ids.
 */
import { FeatureExtractorV1, KerasTokenizer } from '../features';
import { definitionsForStage, fieldsOfSource, LATEST_STAGE, SOURCE_EVENT_TIMES, type OfflineRow } from '../featurestore';
import type { FileSourceDef } from '../../src-shared/featurestore';
import type { LabelledMessage } from '../storage';
import type { Engines } from '../engines';

export const BASE_PART = 'part-00000-base.parquet';

export interface SourcesReport {
  messages: number;
  tokenizer: { fittedOn: number; vocabulary: number; dir: string };
  sources: { source: string; rows: number; file: string }[];
  durationMs: number;
}

/**
 * Writes the base part of each file source (replacing an earlier base by rename; pushed parts
 * are kept) and fits the tokenizer on the training ids (all messages when none are given).
 */
/** What building the sources reads (the warehouse) and writes (the offline store, the tokenizer). */
export type OfflineSourcesDeps = Pick<Engines, 'storage' | 'features' | 'tokenizers'>;

/**
 * `keepTokenizer`: encode with the tokenizer the data dir has (the released one, or an earlier
 * fit) instead of fitting a new one: the models served keep meaning the same token ids.
 */
export async function buildOfflineSources(
  deps: OfflineSourcesDeps,
  trainingIds?: string[],
  onStep?: (s: string) => void,
  o: { keepTokenizer?: boolean } = {},
): Promise<SourcesReport> {
  const t0 = performance.now();
  const messages = await deps.storage.labelled.all();
  if (messages.length === 0) throw new Error('no labelled messages in the warehouse: run `spamops import <file>` first');
  const wanted = trainingIds ? new Set(trainingIds) : undefined;
  const fitOn = wanted ? messages.filter((m) => wanted.has(m.sms_id)) : messages;
  if (fitOn.length === 0) throw new Error('none of the training ids is among the imported messages: check the training ids file');
  let tokenizer: KerasTokenizer;
  if (o.keepTokenizer && deps.tokenizers.exists()) {
    tokenizer = deps.tokenizers.get();
    onStep?.(
      `encoding with the data dir's tokenizer (${Object.keys(tokenizer.state.wordIndex).length} words, fitted on ${tokenizer.state.documentCount} messages)`,
    );
  } else {
    onStep?.(`fitting the v2 tokenizer on ${fitOn.length} training messages`);
    tokenizer = KerasTokenizer.fit(fitOn.map((m) => m.text));
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
  const sources: SourcesReport['sources'] = [];
  for (const source of defs.sources.filter((s): s is FileSourceDef => s.kind === 'file')) {
    const values = build[source.name];
    if (!values) continue;
    onStep?.(`writing offline source ${source.name} (${messages.length} rows)`);
    const eventTs = Date.parse(SOURCE_EVENT_TIMES[source.name]);
    const rows: OfflineRow[] = messages.map((m) => ({ entityKey: m.sms_id, eventTs, createdTs: created, values: values(m) }));
    const file = await deps.features.offline.appendPart(source, 'sms_id', fieldsOfSource(defs, source.name), rows, BASE_PART);
    sources.push({ source: source.name, rows: rows.length, file });
  }
  return {
    messages: messages.length,
    tokenizer: { fittedOn: tokenizer.state.documentCount, vocabulary: Object.keys(tokenizer.state.wordIndex).length, dir: deps.tokenizers.dir },
    sources,
    durationMs: performance.now() - t0,
  };
}
