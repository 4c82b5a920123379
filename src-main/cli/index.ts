/**
 * `spamops`: the headless engines from the command line. Every command exits non-zero with a
 * message naming what went wrong; long commands show progress on stderr.
 */
import { parseArgs } from 'node:util';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../config';
import { openEngines, type Engines } from '../engines';
import { DATASET_FORMATS, parseDataset, type DatasetFormat } from '../dataset/import';
import { buildOfflineSources, readTrainingIds } from '../pipeline/sources';
import { bootstrap } from '../pipeline/bootstrap';
import { definitionsForStage, formatDiff, isStage, LATEST_STAGE, parseTimestamp } from '../featurestore';
import { FeatureExtractorV1, FeatureExtractorV2 } from '../features';
import { backfillV2Features } from '../inbox/backfill';
import { viewProgress } from './progress';

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
  bootstrap [--dataset FILE] [--training-ids FILE]
                               the seed story's set-up in one go (idempotent)

Serving
  serve [--host H] [--port P] [--compat-ports] [--console DIR] [--auto-bootstrap]
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
} as const;

export class CliError extends Error {}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

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
        const r = await backfillV2Features(e, args, { all: v.all });
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
          const x = new FeatureExtractorV2(e.tokenizer());
          out(`get_features: ${JSON.stringify(x.extract(text))}\nget_feature_names: ${JSON.stringify(x.featureNames())}`);
        });
      throw new CliError(`features: expected v1 or v2, got "${gen ?? ''}"`);
    }
    case 'bootstrap':
      return withEngines(v, async (e) => {
        const p = viewProgress();
        await bootstrap(e, { datasetPath: e.config.datasetPath, trainingIdsPath: v['training-ids'] ?? e.config.trainingIdsPath, log: (s) => process.stderr.write(`${s}\n`), progress: p.onProgress });
        p.stop();
      });
    case 'serve': {
      const { serve } = await import('./serve');
      await serve(loadConfig(overrides(v)), { consoleDir: v.console, autoBootstrap: v['auto-bootstrap'] });
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
