/**
 * The seed's `create_offline_sources_1/2` and `create_tokenizer_2`: from the labelled
 * messages of the warehouse to the Parquet sources of the feature store, with the event times
 * the story gives them, and the v2 tokenizer fitted on the training ids.
 *
 * A new fit changes which word each token id means. LSTM versions were trained on the ids of the
 * tokenizer of their time (they carry a copy), while the inbox and the feature store encode with
 * the data dir's: a fit that differs from a version's vocabulary is refused while that version
 * holds an alias (production, ...), unless forced.
 */
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { FeatureExtractorV1, KerasTokenizer } from '../features';
import { definitionsForStage, fieldsOfSource, LATEST_STAGE, SOURCE_EVENT_TIMES, type BaseWriter, type OfflineRow, type Progress } from '../featurestore';
import type { FileSourceDef } from '../../src-shared/featurestore';
import type { LabelledMessage } from '../storage';
import type { Engines } from '../engines';
import type { ModelVersion } from '../../src-shared/training';
import { familyOf } from '../models';

export interface SourcesReport {
  messages: number;
  tokenizer: {
    fittedOn: number;
    vocabulary: number;
    dir: string;
    /** false: the data dir's tokenizer was kept */
    fitted: boolean;
    /** model versions trained with another vocabulary than the one now in the data dir ("v3 1 (production)") */
    otherVocabulary: string[];
  };
  sources: { source: string; rows: number; file: string }[];
  durationMs: number;
}

/** What building the sources reads (the warehouse, the model versions) and writes (the offline store, the tokenizer). */
export type OfflineSourcesDeps = Pick<Engines, 'storage' | 'features' | 'tokenizers' | 'models'>;

export interface OfflineSourcesOptions {
  /**
   * encode with the tokenizer the data dir has (the released one, or an earlier fit) instead of
   * fitting a new one; a fit happens only when it has none or it cannot be read
   */
  keepTokenizer?: boolean;
  /** fit even when versions holding an alias were trained with another vocabulary (they should be retrained) */
  force?: boolean;
  onProgress?: Progress;
}

/** a fit refused: versions holding an alias were trained with another vocabulary */
export class TokenizerInUseError extends Error {
  constructor(
    message: string,
    readonly versions: string[],
  ) {
    super(message);
    this.name = 'TokenizerInUseError';
  }
}

const describeVersion = (v: ModelVersion) => `${v.name} ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`;

/**
 * The versions that encode with a tokenizer (the LSTMs) otherwise than `fit`, with how many kept token ids differ: each
 * compared by the tokenizer it was trained with (its copy; the data dir's `previous` for versions
 * from before copies were kept; one that cannot be read counts as differing).
 */
async function versionsOnOtherVocabulary(
  deps: OfflineSourcesDeps,
  fit: KerasTokenizer,
  previous: KerasTokenizer | undefined,
): Promise<{ version: ModelVersion; differing: number }[]> {
  const out: { version: ModelVersion; differing: number }[] = [];
  for (const v of await deps.models.list()) {
    if (!familyOf(v.kind).usesTokenizer) continue;
    let own: KerasTokenizer | undefined;
    try {
      own = existsSync(join(v.dir, 'tokenizer.json')) ? KerasTokenizer.load(v.dir) : previous;
    } catch {
      own = undefined;
    }
    const differing = own ? own.keptIdsDifferingFrom(fit) : fit.state.settings.MAX_NUM_WORDS - 1;
    if (differing > 0) out.push({ version: v, differing });
  }
  return out;
}

const BATCH = 5000;
const SLICE = 1000;

/**
 * Writes a new base part of each file source (the previous base is retired; pushed parts are
 * kept, after it) and fits the tokenizer on the training ids (all messages when none are given).
 * The warehouse is read in batches, twice at most (the fit, then the rows), and the rows go to
 * DuckDB in chunks: memory stays bounded whatever the number of messages.
 *
 * A fit is checked against the model versions before it is saved (nothing is written when it is
 * refused: TokenizerInUseError); `keepTokenizer` keeps the data dir's when it has a readable one.
 */
export async function buildOfflineSources(
  deps: OfflineSourcesDeps,
  trainingIds?: string[],
  onStep?: (s: string) => void,
  o: OfflineSourcesOptions = {},
): Promise<SourcesReport> {
  const t0 = performance.now();
  const total = await deps.storage.labelled.count();
  if (total === 0) throw new Error('no labelled messages in the warehouse: run `spamops import <file>` first');
  const wanted = trainingIds ? new Set(trainingIds) : undefined;
  let tokenizer: KerasTokenizer;
  let otherVocabulary: string[] = [];
  const problem = deps.tokenizers.problem();
  if (o.keepTokenizer && !problem) {
    tokenizer = deps.tokenizers.get();
    onStep?.(
      `encoding with the data dir's tokenizer (${Object.keys(tokenizer.state.wordIndex).length} words, fitted on ${tokenizer.state.documentCount} messages)`,
    );
  } else {
    if (o.keepTokenizer && problem) onStep?.(`the data dir's tokenizer cannot be kept: ${problem.file}: ${problem.problem}`);
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
      // a turn of the event loop: the scan resolves at once, so a loop over it never let the server answer
      await nextTurn();
    }
    if (fitted === 0) throw new Error('none of the training ids is among the imported messages: check the training ids file');
    tokenizer = fit.done();
    const previous = problem ? undefined : deps.tokenizers.get();
    const other = await versionsOnOtherVocabulary(deps, tokenizer, previous);
    const held = other.filter((x) => x.version.aliases.length > 0);
    if (held.length && !o.force) {
      const names = held.map((x) => `${describeVersion(x.version)}: ${x.differing} of its ${tokenizer.state.settings.MAX_NUM_WORDS - 1} token ids`);
      const copy = held.find((x) => existsSync(join(x.version.dir, 'tokenizer.json')))?.version;
      throw new TokenizerInUseError(
        previous
          ? `refusing to refit the tokenizer: the new fit gives other words to the token ids that versions holding an alias were trained on (${names.join('; ')}); the inbox's and the feature store's v2 features would no longer mean what those models learned. Keep the tokenizer (the default), or refit anyway (\`spamops offline-sources --refit-tokenizer --force\`) and retrain them. Nothing was written.`
          : `the data dir's tokenizer cannot be kept (${problem?.file}: ${problem?.problem}), and a new fit gives other words to the token ids that versions holding an alias were trained on (${names.join('; ')}): ${copy ? `restore the one they were trained with (copy ${join(copy.dir, 'tokenizer.json')} to ${deps.tokenizers.file}), or ` : ''}fit a new one anyway (\`spamops offline-sources --refit-tokenizer --force\`) and retrain them. Nothing was written.`,
        held.map((x) => describeVersion(x.version)),
      );
    }
    otherVocabulary = other.map((x) => describeVersion(x.version));
    deps.tokenizers.save(tokenizer);
  }

  const defs = definitionsForStage(LATEST_STAGE);
  const v1 = new FeatureExtractorV1();
  // a warehouse row is created as of its event time, whenever the sources are rebuilt: created at the
  // rebuild, it beat a label pushed for the same event time before an import rebuilt them (a tie
  // is decided by the later creation)
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
      // in slices, the server answering between them (a slice's features take some 20 ms): the scan
      // and the writers' \`add\` resolve at once, and an import's rebuild of 300,000 rows held /health for 3.2 s
      for (let i = 0; i < batch.length; i += SLICE) {
        const slice = batch.slice(i, i + SLICE);
        for (const t of targets) await t.writer.add(slice.map((m) => ({ entityKey: m.sms_id, eventTs: t.eventTs, createdTs: t.eventTs, values: t.values(m) })));
        await nextTurn();
      }
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
    tokenizer: {
      fittedOn: tokenizer.state.documentCount,
      vocabulary: Object.keys(tokenizer.state.wordIndex).length,
      dir: deps.tokenizers.dir,
      fitted: !(o.keepTokenizer && !problem),
      otherVocabulary,
    },
    sources,
    durationMs: performance.now() - t0,
  };
}
