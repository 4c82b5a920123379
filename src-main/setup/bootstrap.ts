/**
 * `spamops bootstrap`: the seed story's set-up in one go, idempotent: import the labelled
 * dataset, fit the tokenizer and write the offline sources, apply the definitions, materialize
 * (the 2019 window, then incrementally up to now), load the sample inbox and push its v2 features.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Engines } from '../engines';
import type { LabelledInsert } from '../storage';
import { parseDataset, readTrainingIds, type ParsedDataset } from '../dataset';
import { RecordedImport } from './data-imports';
import { emptyReport } from './warehouse-import';
import { buildOfflineSources } from './offline-sources';
import { registerReleased } from './release';
import { definitionsForStage, formatDiff, LATEST_STAGE, parseTimestamp } from '../featurestore';
import { loadSampleInbox } from '../inbox';
import type { Progress } from '../featurestore';
import { MODEL_NAMES, type ModelName, type RunRecord } from '../../src-shared/training';

export interface BootstrapOptions {
  datasetPath: string;
  trainingIdsPath?: string;
  log: (line: string) => void;
  progress?: Progress;
  /** serve the released models (and encode with the released tokenizer) instead of fitting and training on the dataset */
  released?: boolean;
}

/**
 * The dataset's rows as an import job, when they added any (a second bootstrap adds none): lineage
 * names it for the versions trained on them, and the Data pane lists it. Its later steps are
 * bootstrap's own (below), so the job has the read only.
 */
async function recordImport(engines: Engines, datasetPath: string, parsed: ParsedDataset, ins: LabelledInsert): Promise<void> {
  const name = basename(datasetPath);
  const report = emptyReport();
  Object.assign(report, {
    read: parsed.rows.length,
    inserted: ins.inserted,
    duplicates: ins.duplicates.length,
    duplicateIds: ins.duplicates.slice(0, 20),
    conflicts: ins.conflicts.length,
    conflictIds: ins.conflicts.slice(0, 20),
    problems: parsed.problems.slice(0, 100),
    problemCount: parsed.problems.length,
    files: { [name]: parsed.rows.length },
  });
  for (const r of parsed.rows) if (r.label === 'ham' || r.label === 'spam') report.labels[r.label]++;
  const rec = await RecordedImport.begin(
    engines,
    { kind: 'file', name, format: parsed.format },
    // its name and size, as an upload's step says (the path is the machine's, or inside the app)
    { via: 'spamops bootstrap', first: { key: 'upload', detail: `${name}, ${(statSync(datasetPath).size / 1024).toFixed(1)} KB` } },
  );
  await rec.succeeded(report);
}

export async function bootstrap(engines: Engines, o: BootstrapOptions): Promise<void> {
  const t0 = performance.now();
  const step = (s: string) => o.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${s}`);

  if (!existsSync(o.datasetPath)) throw new Error(`dataset not found: ${o.datasetPath} (set --dataset or SPAMOPS_DATASET)`);
  // its rows' origin names the file, not the machine's path to it (shown in the console)
  const parsed = parseDataset(readFileSync(o.datasetPath, 'utf8'), basename(o.datasetPath));
  const ins = await engines.storage.labelled.insertMany(parsed.rows);
  if (ins.inserted > 0) await recordImport(engines, o.datasetPath, parsed, ins);
  step(
    `imported ${ins.inserted} labelled messages from ${o.datasetPath} (${ins.duplicates.length} already there${ins.conflicts.length ? `, ${ins.conflicts.length} not imported as their ids hold other messages` : ''}, ${parsed.problems.length} bad rows skipped)`,
  );

  // The seed's ids file sits beside the full dataset; the project's sample trains on all ids.
  const idsPath = o.trainingIdsPath ?? join(dirname(o.datasetPath), 'training_sms_ids.txt');
  const ids = existsSync(idsPath) ? readTrainingIds(idsPath) : undefined;
  if (o.released) await registerReleased(engines, { tokenizer: true, log: step });
  // idempotent: a second bootstrap keeps the tokenizer the models were trained with
  const rep = await buildOfflineSources(engines, ids, step, { keepTokenizer: true });
  step(
    `offline sources written (${rep.sources.map((s) => `${s.source}: ${s.rows}`).join(', ')}); tokenizer ${rep.tokenizer.fitted ? 'fitted' : 'kept, fitted'} on ${rep.tokenizer.fittedOn} messages`,
  );

  const applied = await engines.features.apply(definitionsForStage(LATEST_STAGE), LATEST_STAGE);
  step(applied.changed ? `registry applied (stage ${LATEST_STAGE}):\n${formatDiff(applied.diff)}` : 'registry already up to date');

  const m1 = await engines.features.materialize(
    parseTimestamp('2009-01-01T00:00:00', 'start'),
    parseTimestamp('2019-12-31T00:00:00', 'end'),
    undefined,
    o.progress,
  );
  step(`materialized 2009-01-01 → 2019-12-31: ${m1.views.map((v) => `${v.feature_view} ${v.rows_written}`).join(', ')}`);
  const m2 = await engines.features.materializeIncremental(Date.now(), undefined, o.progress);
  step(`materialized incrementally up to now: ${m2.views.map((v) => `${v.feature_view} ${v.rows_written}`).join(', ')}`);

  const inbox = await loadSampleInbox(engines.storage.users, engines.config.sampleInboxPath);
  step(`sample inbox: ${inbox.inserted} messages loaded, ${inbox.present} already there`);
  // the sample's messages reach the feature step as every stored message does: its online push and
  // the offline follower's rows, each once, the change log's cursors past them (pushed here online
  // and offline, they were written offline a second time by the first serve's offline follower)
  await engines.ingestion.drain().catch(() => undefined);
  // online features of what the drain could not hand on (the stream unreachable); the offline rows
  // follow from the change log, once
  const bf = await engines.backfill.run([], { to: 'online' });
  step(`v2 features pushed for ${bf.pushed} inbox messages (${bf.present} had them)`);
  step('bootstrap done');
}

/**
 * Queues a training run (alias production) for each model that has no version yet; the caller
 * decides whether to wait (the CLI) or to serve meanwhile (serve, the desktop app).
 */
export async function queueMissingModels(engines: Engines, models: ModelName[] = [...MODEL_NAMES]): Promise<RunRecord[]> {
  await engines.runs.init();
  const queued: RunRecord[] = [];
  const busy = new Set(
    engines.runs
      .list()
      .filter((r) => r.status === 'queued' || r.status === 'running')
      .map((r) => r.model),
  );
  for (const m of models) {
    if ((await engines.models.list(m)).length > 0 || busy.has(m)) continue;
    queued.push(await engines.runs.start({ model: m, alias: 'production', note: 'bootstrap: first version' }));
  }
  return queued;
}

/** true when the data dir has never been bootstrapped (nothing applied yet) */
export async function needsBootstrap(engines: Engines): Promise<boolean> {
  return (await engines.features.registry.current()) === undefined;
}
