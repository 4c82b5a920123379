/**
 * `spamops`: the headless engines from the command line. Every command exits non-zero with a
 * message naming what went wrong; long commands show progress on stderr.
 */
import { parseArgs } from 'node:util';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../config';
import { openEngines, type Engines } from '../engines';
import { DATASET_FORMATS, parseDataset, readTrainingIds, type DatasetFormat } from '../dataset';
import { bootstrap, buildOfflineSources, queueMissingModels } from '../setup';
import { definitionsForStage, formatDiff, isStage, LATEST_STAGE, parseTimestamp } from '../featurestore';
import { FeatureExtractorV1, FeatureExtractorV2 } from '../features';
import { viewProgress, runProgress } from './progress';
import { ModelRegistry, RegistryError, isBuiltin } from '../training';
import { MODEL_NAMES, type BuiltinModel, type BackendName, type ModelName, type RunRecord, type StartRunRequest, type TrainParams } from '../../src-shared/training';

const HELP = `spamops — the SpamOps engines, headless

Usage: spamops <command> [options]

Data and feature store
  import <file> [--format seed-csv|uci-sms-tsv|uci-youtube-csv] [--id-start N]
                               import labelled messages (bad rows reported by line)
  offline-sources [--training-ids FILE]
                               fit the v2 tokenizer, write the Parquet offline sources
  plan [--stage 2019|2020|2021]  show what apply would change in the registry
  apply [--stage 2019|2020|2021] apply the feature definitions (env FEAST_STORE_STAGE too)
  history                      registry snapshots with their diffs
  explore                      entities, sources, feature views and services
  materialize <start> <end> [--views a,b]
  materialize-incremental <end> [--views a,b]
  sample <sms_id...>           online-store sampler: both feature services per id
  backfill [user...]           push v2 features of inbox messages lacking them
  features v1|v2 <text...>     run a feature extractor on a text
  bootstrap [--dataset FILE] [--training-ids FILE] [--models v1,v2,v3|none]
                               the seed story's set-up in one go (idempotent),
                               then trains the models that have no version yet

Training and models
  train v1|v2|v3|<id> [--base v1|v2|v3] [--epochs N] [--batch-size N] [--learning-rate X] [--seed N]
        [--time-freeze TS] [--backend auto|fused-wasm|tfjs-node|tfjs-cpu|js-forest]
        [--alias NAME] [--param key=value ...]
                               train a model (progress bar), register the version
  runs list | runs show <id> | runs rerun <id>
  models list | models delete <name> [<version>] [--force]
  models alias <name> <alias> <version>

Monitoring
  drift <model> [--size N]      drift of the latest predictions against the training reference
  simulate --pattern REGEX [--count N] [--rate R] [--model M]
                               replay warehouse messages through the inbox, label them after
  retrain <model> [--margin X]  challenger on training set + feedback; promoted if better

Serving
  serve [--host H] [--port P] [--compat-ports] [--console DIR] [--auto-bootstrap] [--exit-with-stdin]
                               the local API (and the built console); --auto-bootstrap
                               runs bootstrap first when the data dir is empty

Options for every command
  --data-dir DIR               data dir (env SPAMOPS_DATA_DIR; default the app's data dir)
  --help                       this text
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  'id-start': { type: 'string' },
  'training-ids': { type: 'string' },
  stage: { type: 'string' },
  views: { type: 'string' },
  dataset: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'compat-ports': { type: 'boolean' },
  console: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  quick: { type: 'boolean' },
  'auto-bootstrap': { type: 'boolean' },
  'exit-with-stdin': { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  seed: { type: 'string' },
  'time-freeze': { type: 'string' },
  backend: { type: 'string' },
  alias: { type: 'string' },
  param: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  models: { type: 'string' },
  base: { type: 'string' },
  size: { type: 'string' },
  pattern: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  model: { type: 'string' },
  margin: { type: 'string' },
} as const;

export class CliError extends Error {}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : (typeof OPTIONS)[K] extends { multiple: true } ? string[] : string };

function overrides(v: Values): ConfigOverrides {
  const port = v.port !== undefined ? Number(v.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CliError(`--port: expected an integer 0-65535, got "${v.port}"`);
  return { dataDir: v['data-dir'], host: v.host, port, compatPorts: v['compat-ports'], datasetPath: v.dataset };
}

function stageOf(v: Values) {
  const s = v.stage ?? process.env.FEAST_STORE_STAGE ?? LATEST_STAGE;
  if (!isStage(s)) throw new CliError(`--stage: expected 2019, 2020 or 2021, got "${s}"`);
  return s;
}

function ts(s: string | undefined, name: string): number {
  if (!s) throw new CliError(`missing <${name}>: a timestamp such as 2019-12-31T00:00:00`);
  return parseTimestamp(s, name);
}

const views = (v: Values) => v.views?.split(',').map((x) => x.trim()).filter(Boolean);
const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

async function withEngines<T>(v: Values, fn: (e: Engines) => Promise<T>): Promise<T> {
  const engines = await openEngines(loadConfig(overrides(v)));
  try {
    return await fn(engines);
  } finally {
    await engines.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`spamops: ${(e as Error).message}\nRun \`spamops --help\` for usage.\n`);
    return 2;
  }
  const v = parsed.values as Values;
  const [cmd, ...args] = parsed.positionals;
  if (v.help || !cmd || cmd === 'help') {
    out(HELP);
    return cmd || v.help ? 0 : 2;
  }
  try {
    await run(cmd, args, v);
    return 0;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`spamops ${cmd}: ${err?.message || String(e)}\n`);
    if (process.env.SPAMOPS_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

async function run(cmd: string, args: string[], v: Values): Promise<void> {
  switch (cmd) {
    case 'import': {
      const file = args[0];
      if (!file) throw new CliError('missing <file>: the dataset to import');
      if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
      const format = v.format as DatasetFormat | undefined;
      if (format && !DATASET_FORMATS.includes(format)) throw new CliError(`--format: expected one of ${DATASET_FORMATS.join(', ')}, got "${format}"`);
      const idStart = v['id-start'] ? Number(v['id-start']) : undefined;
      if (idStart !== undefined && !Number.isInteger(idStart)) throw new CliError(`--id-start: expected an integer, got "${v['id-start']}"`);
      const parsed = parseDataset(readFileSync(file, 'utf8'), resolve(file), format, idStart);
      await withEngines(v, async (e) => {
        const r = await e.storage.labelled.insertMany(parsed.rows);
        for (const p of parsed.problems) process.stderr.write(`  line ${p.line}: ${p.reason}\n`);
        for (const d of r.duplicates.slice(0, 20)) process.stderr.write(`  rejected duplicate sms_id ${d}: it exists already and is not overwritten\n`);
        if (r.duplicates.length > 20) process.stderr.write(`  ... and ${r.duplicates.length - 20} more duplicates\n`);
        out(`imported ${r.inserted} messages (${parsed.format}); ${parsed.problems.length} bad rows skipped; ${r.duplicates.length} duplicates rejected`);
      });
      return;
    }
    case 'offline-sources':
      return withEngines(v, async (e) => {
        const ids = v['training-ids'] ? readTrainingIds(v['training-ids']) : e.config.trainingIdsPath ? readTrainingIds(e.config.trainingIdsPath) : undefined;
        const r = await buildOfflineSources(e, ids, (s) => process.stderr.write(`  ${s}\n`));
        for (const s of r.sources) out(`${s.source}: ${s.rows} rows -> ${s.file}`);
        out(`tokenizer: ${r.tokenizer.vocabulary} words seen, fitted on ${r.tokenizer.fittedOn} messages -> ${r.tokenizer.dir}`);
      });
    case 'plan':
      return withEngines(v, async (e) => out(formatDiff(await e.features.registry.plan(definitionsForStage(stageOf(v))))));
    case 'apply':
      return withEngines(v, async (e) => {
        const stage = stageOf(v);
        const r = await e.features.apply(definitionsForStage(stage), stage);
        out(formatDiff(r.diff));
        out(r.changed ? `applied: registry version ${r.snapshot.version} (stage ${stage})` : `registry unchanged at version ${r.snapshot.version}`);
      });
    case 'history':
      return withEngines(v, async (e) => {
        for (const s of await e.features.registry.history()) out(`version ${s.version}  ${s.appliedAt}  stage ${s.stage}\n${formatDiff(s.diff).replace(/^/gm, '  ')}`);
      });
    case 'explore':
      return withEngines(v, async (e) => {
        const d = await e.features.registry.definitions();
        out(`Project ${d.project}`);
        out('\nEntities:');
        for (const x of d.entities) out(`  ${x.name} (join keys: ${x.joinKeys.join(', ')}) — ${x.description}`);
        out('\nData sources:');
        for (const s of d.sources) out(`  ${s.name} [${s.kind}] ${s.kind === 'push' ? `over ${s.batchSource}` : `${s.path}/, time ${s.timestampField}`}`);
        out('\nFeature views:');
        for (const fv of d.featureViews) {
          out(`  ${fv.name} (source ${fv.source}, ttl ${fv.ttlSeconds || 'none'}, online ${fv.online}, tags ${JSON.stringify(fv.tags)}, materialized until ${(await e.features.materializedUntil(fv.name)) ?? 'never'})`);
          for (const f of fv.schema) out(`    - ${f.name}: ${f.dtype}${f.length ? `[${f.length}]` : ''} — ${f.description}`);
        }
        out('\nFeature services:');
        for (const s of d.featureServices) out(`  ${s.name}: ${s.features.map((f) => f.view + (f.features ? `[${f.features.join(',')}]` : '')).join(' + ')}`);
      });
    case 'materialize':
    case 'materialize-incremental':
      return withEngines(v, async (e) => {
        const p = viewProgress();
        const r =
          cmd === 'materialize'
            ? await e.features.materialize(ts(args[0], 'start'), ts(args[1], 'end'), views(v), p.onProgress)
            : await e.features.materializeIncremental(ts(args[0], 'end'), views(v), p.onProgress);
        p.stop();
        for (const x of r.views) out(`${x.feature_view}: ${x.rows_written} rows (${x.start_ts} -> ${x.end_ts})`);
        out(`done in ${r.duration_ms.toFixed(0)} ms`);
      });
    case 'sample':
      if (args.length === 0) throw new CliError('missing <sms_id...>: the ids to look up');
      return withEngines(v, async (e) => {
        const d = await e.features.registry.definitions();
        for (const svc of d.featureServices) {
          const r = await e.features.getOnlineFeatures({ entities: { sms_id: args }, feature_service: svc.name });
          out(`== ${svc.name}`);
          args.forEach((id, i) => {
            const cells = r.metadata.feature_names.slice(1).map((n, j) => {
              const res = r.results[j + 1];
              return res.statuses[i] === 'PRESENT' ? `${n}=${JSON.stringify(res.values[i])}` : `${n}:${res.statuses[i]}`;
            });
            const present = r.results.slice(1).filter((res) => res.statuses[i] === 'PRESENT').length;
            const state = present === 0 ? 'NOT FOUND' : present === r.results.length - 1 ? 'FOUND' : 'PARTIAL';
            out(`  ${id}: ${state}  ${cells.join('  ')}`);
          });
        }
      });
    case 'backfill':
      return withEngines(v, async (e) => {
        const r = await e.backfill.run(args, { all: v.all });
        out(`pushed v2 features of ${r.pushed} messages for ${r.users} users (${r.present} had them already)`);
      });
    case 'features': {
      const [gen, ...words] = args;
      const text = words.join(' ');
      if (gen === 'v1') {
        const x = new FeatureExtractorV1();
        out(`get_features: ${JSON.stringify(x.extract(text))}\nget_feature_names: ${JSON.stringify(x.featureNames())}\nget_features_list: ${JSON.stringify(x.extractList(text))}`);
        return;
      }
      if (gen === 'v2')
        return withEngines(v, async (e) => {
          const x = new FeatureExtractorV2(e.tokenizers.get());
          out(`get_features: ${JSON.stringify(x.extract(text))}\nget_feature_names: ${JSON.stringify(x.featureNames())}`);
        });
      throw new CliError(`features: expected v1 or v2, got "${gen ?? ''}"`);
    }
    case 'bootstrap':
      return withEngines(v, async (e) => {
        const p = viewProgress();
        await bootstrap(e, { datasetPath: e.config.datasetPath, trainingIdsPath: v['training-ids'] ?? e.config.trainingIdsPath, log: (s) => process.stderr.write(`${s}\n`), progress: p.onProgress });
        p.stop();
        for (const run of await queueMissingModels(e, parseModelList(v.models ?? 'v1,v2,v3'))) {
          process.stderr.write(`run ${run.id}: training ${run.model}\n`);
          const stopBar = runProgress(e.runs, run.id);
          const r = await e.runs.wait(run.id);
          stopBar();
          if (r.status !== 'succeeded') throw new CliError(`training ${r.model} ${r.status}: ${r.error ?? ''}`);
          out(`${r.model} version ${r.version} (${r.backend}, ${((r.durationMs ?? 0) / 1000).toFixed(1)} s): accuracy ${fmt(r.metrics?.accuracy)}, f1 spam ${fmt(r.metrics?.f1)}; alias production`);
        }
      });
    case 'train': {
      const model = args[0];
      if (!model || !ModelRegistry.isModelName(model)) throw new CliError(`train: expected v1, v2, v3 or a model id of your own (with --base v1|v2|v3), got "${model ?? ''}"`);
      if (v.base !== undefined && !isBuiltin(v.base)) throw new CliError(`--base: expected v1, v2 or v3, got "${v.base}"`);
      return withEngines(v, async (e) => {
        await e.runs.init();
        const r = await trainWithProgress(e, { model, base: v.base as BuiltinModel | undefined, params: trainParams(v), backend: backendOf(v), alias: v.alias });
        if (r.status !== 'succeeded') throw new CliError(`run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}`);
      });
    }
    case 'runs':
      return withEngines(v, async (e) => {
        await e.runs.init();
        const [sub, id] = args;
        if (sub === 'list' || !sub) {
          out(table(['run', 'model', 'status', 'backend', 'duration', 'accuracy', 'f1 spam', 'version'], e.runs.list().map((r) => [r.id, r.model, r.status, r.backend ?? '-', r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : '-', fmt(r.metrics?.accuracy), fmt(r.metrics?.f1), r.version ?? '-'])));
        } else if (sub === 'show') {
          if (!id) throw new CliError('runs show <id>');
          out(JSON.stringify({ ...e.runs.get(id), history: { epochs: e.runs.get(id).history.epochs, batches: `${e.runs.get(id).history.batches.length} batches` } }, null, 2));
        } else if (sub === 'rerun') {
          if (!id) throw new CliError('runs rerun <id>');
          const old = e.runs.get(id);
          const r = await trainWithProgress(e, { model: old.model, params: old.params, backend: old.backendRequested, alias: old.alias, rerunOf: id });
          out(`metrics of ${id}: accuracy ${fmt(old.metrics?.accuracy)}, f1 ${fmt(old.metrics?.f1)}; of ${r.id}: accuracy ${fmt(r.metrics?.accuracy)}, f1 ${fmt(r.metrics?.f1)}`);
        } else throw new CliError(`runs: expected list, show or rerun, got "${sub}"`);
      });
    case 'models':
      return withEngines(v, async (e) => {
        const [sub, name, a, b] = args;
        if (sub === 'list' || !sub) {
          const served = new Map<string, string | undefined>();
          for (const m of ['v1', 'v2', 'v3'] as const) served.set(m, (await e.models.resolve(m))?.version);
          out(table(['model', 'version', 'aliases', 'served', 'accuracy', 'f1 spam', 'roc auc', 'backend', 'run', 'created'], (await e.models.list()).map((m) => [m.name, m.version, m.aliases.join(',') || '-', served.get(m.name) === m.version ? 'yes' : '', fmt(m.metrics.accuracy), fmt(m.metrics.f1), fmt(m.metrics.rocAuc), m.backend, m.runId, m.createdAt.slice(0, 19)])));
          return;
        }
        if (!name || !ModelRegistry.isModelName(name)) throw new CliError(`models ${sub}: expected a model name v1, v2 or v3, got "${name ?? ''}"`);
        if (sub === 'delete') {
          const servedVersion = (await e.models.resolve(name))?.version;
          const versions = a ? [a] : (await e.models.list(name)).map((m) => m.version);
          if (versions.length === 0) throw new CliError(`model ${name} has no versions`);
          for (const ver of versions) {
            try {
              await e.models.delete(name, ver, { force: v.force, isServed: (m) => m.version === servedVersion });
            } catch (err) {
              if (err instanceof RegistryError) throw new CliError(err.message.replace('delete with force', 'use --force'));
              throw err;
            }
            out(`deleted ${name} version ${ver}`);
          }
        } else if (sub === 'alias') {
          if (!a || !b) throw new CliError('models alias <name> <alias> <version>');
          await e.models.setAlias(name, a, b);
          out(`${name}: ${a} -> version ${b}`);
        } else throw new CliError(`models: expected list, delete or alias, got "${sub}"`);
      });
    case 'drift':
      return withEngines(v, async (e) => {
        const model = args[0] ?? 'v3';
        const r = await e.monitor.check(model, { size: v.size ? Number(v.size) : undefined });
        out(`${model} version ${r.version}: ${r.window.n} predictions (${r.window.from ?? '-'} .. ${r.window.to ?? '-'}) vs ${r.referenceRows} training rows`);
        out(table(['feature', 'test', 'statistic', 'p-value', 'threshold', 'PSI', 'drift'], r.features.map((f) => [f.feature, f.test, f.statistic.toFixed(4), f.pValue === undefined ? '-' : f.pValue.toExponential(2), String(f.threshold), f.psi.toFixed(3), f.drifted ? 'DRIFT' : 'ok'])));
        out(`dataset drift: ${r.datasetDrift ? 'YES' : 'no'} (${(r.driftShare * 100).toFixed(0)} % of features); spam share ${r.prediction.referenceSpamShare.toFixed(3)} -> ${r.prediction.currentSpamShare.toFixed(3)}${r.quality ? `; accuracy on ${r.quality.n} labelled: ${r.quality.accuracy.toFixed(3)}` : ''}`);
      });
    case 'simulate':
      return withEngines(v, async (e) => {
        if (!v.pattern) throw new CliError('simulate: --pattern REGEX is required (the warehouse ids to replay, e.g. "^sms155")');
        if (v.model) e.verdicts.model = v.model;
        const { done } = e.simulator.start({ idPattern: v.pattern, count: Number(v.count ?? 200), rate: Number(v.rate ?? 50), labelDelayMs: 1000, recipient: 'simulated', labelShare: 1 });
        const s = await done;
        if (s.status !== 'done') throw new CliError(`simulation ${s.status}: ${s.error ?? ''}`);
        out(`replayed ${s.sent} messages through the inbox (verdicts by ${e.verdicts.model}), ${s.labelled} labelled`);
      });
    case 'retrain':
      return withEngines(v, async (e) => {
        const model = args[0];
        if (!model) throw new CliError('retrain <model>');
        await e.runs.init();
        const { run, decision } = await e.retrainer.start(model, { margin: v.margin ? Number(v.margin) : undefined });
        const stop = runProgress(e.runs, run.id);
        const d = await decision;
        stop();
        out(`${d.reason} (champion ${d.champion.version}, challenger ${d.challenger?.version ?? '-'}, ${d.heldOutRows ?? 0} held-out rows, ${d.feedbackLabels} feedback labels)`);
      });
    case 'serve': {
      const { serve } = await import('./serve');
      await serve(loadConfig(overrides(v)), { consoleDir: v.console, autoBootstrap: v['auto-bootstrap'], exitWithStdin: v['exit-with-stdin'] });
      return;
    }
    case 'bench': {
      const { runBench } = await import('../../bench/run');
      await runBench({ dataset: v.dataset, quick: v.quick });
      return;
    }
    default:
      throw new CliError(`unknown command "${cmd}"; run \`spamops --help\``);
  }
}

const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(4));

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n');
}

function parseModelList(s: string): ModelName[] {
  if (s === 'none') return [];
  const list = s.split(',').map((x) => x.trim());
  for (const m of list) if (!ModelRegistry.isModelName(m)) throw new CliError(`--models: expected a list of ${MODEL_NAMES.join(', ')} or "none", got "${m}"`);
  return list as ModelName[];
}

const BACKENDS: BackendName[] = ['auto', 'fused-wasm', 'tfjs-node', 'tfjs-wasm', 'tfjs-cpu', 'js-forest'];
function backendOf(v: Values): BackendName | undefined {
  if (v.backend === undefined) return undefined;
  if (!BACKENDS.includes(v.backend as BackendName)) throw new CliError(`--backend: expected one of ${BACKENDS.join(', ')}, got "${v.backend}"`);
  return v.backend as BackendName;
}

const NUMERIC_PARAMS = ['testSize', 'seed', 'nEstimators', 'maxDepth', 'maxFeatures', 'embeddingDim', 'spatialDropout', 'lstmUnits', 'dropout', 'recurrentDropout', 'epochs', 'batchSize', 'learningRate'];
function trainParams(v: Values): TrainParams {
  const p: Record<string, unknown> = {};
  const num = (flag: string, key: string, raw: string | undefined) => {
    if (raw === undefined) return;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new CliError(`${flag}: expected a number, got "${raw}"`);
    p[key] = n;
  };
  num('--epochs', 'epochs', v.epochs);
  num('--batch-size', 'batchSize', v['batch-size']);
  num('--learning-rate', 'learningRate', v['learning-rate']);
  num('--seed', 'seed', v.seed);
  if (v['time-freeze']) p.timeFreeze = v['time-freeze'];
  for (const kv of v.param ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new CliError(`--param: expected key=value, got "${kv}"`);
    const k = kv.slice(0, i);
    const val = kv.slice(i + 1);
    if (NUMERIC_PARAMS.includes(k)) num(`--param ${k}`, k, val);
    else if (k === 'featureService' || k === 'timeFreeze' || k === 'entityIdPattern') p[k] = val;
    else throw new CliError(`--param: unknown parameter "${k}"; known: ${[...NUMERIC_PARAMS, 'featureService', 'timeFreeze', 'entityIdPattern'].join(', ')}`);
  }
  return p as TrainParams;
}

async function trainWithProgress(e: Engines, req: StartRunRequest & { rerunOf?: string }): Promise<RunRecord> {
  const run = await e.runs.start(req);
  process.stderr.write(`run ${run.id}: training ${req.model}\n`);
  const stop = runProgress(e.runs, run.id);
  const r = await e.runs.wait(run.id);
  stop();
  if (r.status === 'succeeded') {
    const m = r.metrics!;
    out(`${r.model} version ${r.version} (${r.backend}, ${((r.durationMs ?? 0) / 1000).toFixed(1)} s): accuracy ${fmt(m.accuracy)}, precision ${fmt(m.precision)}, recall ${fmt(m.recall)}, f1 spam ${fmt(m.f1)}, roc auc ${fmt(m.rocAuc)}${r.alias ? `; alias ${r.alias}` : ''}`);
  } else process.stderr.write(`run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
  return r;
}
