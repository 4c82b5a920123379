/**
 * The released models (`models/` of the project): v1, v2, v3 and the fitted tokenizer, trained
 * by our own engine on a labelled dataset (the full public one for the release), each with its
 * metadata (parameters, backend, metrics, the training data's row count and checksum, the command
 * that made it) and drift reference statistics. A first start serves them (registerReleased):
 * right verdicts from the first second, no training at start.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from '../config';
import { openEngines, type Engines } from '../engines';
import { parseDataset, readTrainingIds } from '../dataset';
import { definitionsForStage, LATEST_STAGE } from '../featurestore';
import { checksumsOf, runTrainJob, stagingDirFor } from '../training';
import { KerasTokenizer } from '../features';
import { writeFileAtomic, ArtifactError } from '../platform';
import { MODEL_SPECS, resolveParams } from '../../src-shared/model-specs';
import { MODEL_NAMES, type BuiltinModel, type ModelVersion } from '../../src-shared/training';
import { buildOfflineSources } from './offline-sources';

/** what a released version's metadata.json holds beyond a registered version's */
export interface ReleaseInfo {
  createdAt: string;
  dataset: { file: string; rows: number; sha256: string };
  /** the rows the model was trained and tested on, and a checksum of their ids and labels */
  trainingData: { trainRows: number; testRows: number; sha256: string };
  seed: number;
  threads: number;
  command: string;
}

export type ReleasedModel = Omit<ModelVersion, 'version' | 'dir' | 'aliases' | 'createdAt' | 'runId'> & { release: ReleaseInfo };

export interface ReleaseOptions {
  datasetPath: string;
  trainingIdsPath?: string;
  outDir: string;
  seed: number;
  models?: BuiltinModel[];
  log: (line: string) => void;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** trains the release on a fresh temporary data dir and writes it to outDir, whole or not at all */
export async function releaseModels(o: ReleaseOptions): Promise<Record<string, ReleasedModel>> {
  const t0 = performance.now();
  const step = (s: string) => o.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${s}`);
  const raw = readFileSync(o.datasetPath);
  const parsed = parseDataset(raw.toString('utf8'), o.datasetPath);
  if (parsed.rows.length === 0) throw new Error(`${o.datasetPath}: no labelled message`);
  const work = mkdtempSync(join(tmpdir(), 'spamops-release-'));
  const config = loadConfig({ dataDir: join(work, 'data') }, {});
  // one thread: a release must be repeatable, and thread counts change the sums' order
  const engines = await openEngines({ ...config, training: { ...config.training, threads: 1 } });
  const out: Record<string, ReleasedModel> = {};
  try {
    const ins = await engines.storage.labelled.insertMany(parsed.rows);
    step(`imported ${ins.inserted} labelled messages (${parsed.problems.length} bad rows skipped)`);
    const ids = o.trainingIdsPath ? readTrainingIds(o.trainingIdsPath) : undefined;
    const rep = await buildOfflineSources(engines, ids, step);
    step(`offline sources written; tokenizer fitted on ${rep.tokenizer.fittedOn} messages (${rep.tokenizer.vocabulary} words)`);
    await engines.features.apply(definitionsForStage(LATEST_STAGE), LATEST_STAGE);
    const staged = join(work, 'release');
    mkdirSync(staged, { recursive: true });
    engines.tokenizers.get().save(join(staged, 'tokenizer'));
    const command = `npm run release-models -- --dataset ${basename(o.datasetPath)} --seed ${o.seed}${o.trainingIdsPath ? ` --training-ids ${basename(o.trainingIdsPath)}` : ''}`;
    for (const m of o.models ?? [...MODEL_NAMES]) {
      step(`training ${m} (${MODEL_SPECS[m].description})`);
      const params = resolveParams(m, { seed: o.seed, split: 'random' });
      const r = await runTrainJob(engines.training, { runId: `release-${m}`, model: m, base: m, params, backend: 'auto' });
      step(`${m}: accuracy ${r.metrics.accuracy.toFixed(4)}, F1 spam ${r.metrics.f1.toFixed(4)} (${r.backend})`);
      const dir = join(staged, m);
      cpSync(r.stagingDir, dir, { recursive: true });
      rmSync(r.stagingDir, { recursive: true, force: true });
      const spec = MODEL_SPECS[m];
      const meta: ReleasedModel = {
        name: m,
        base: m,
        kind: spec.kind,
        featureExtractor: spec.featureExtractor,
        featureService: params.featureService,
        inputShape: r.inputShape,
        labels: ['ham', 'spam'],
        metrics: r.metrics,
        params,
        backend: r.backend,
        data: r.data,
        checksums: checksumsOf(dir, readdirSync(dir)),
        release: {
          createdAt: new Date().toISOString(),
          dataset: { file: basename(o.datasetPath), rows: parsed.rows.length, sha256: sha256(raw) },
          trainingData: { trainRows: r.data.trainRows, testRows: r.data.testRows, sha256: r.data.checksum ?? '' },
          seed: o.seed,
          threads: 1,
          command,
        },
      };
      writeFileAtomic(join(dir, 'metadata.json'), `${JSON.stringify(meta, null, 2)}\n`);
      out[m] = meta;
    }
    // the new release replaces the old one only once it is complete
    mkdirSync(o.outDir, { recursive: true });
    for (const name of ['tokenizer', ...Object.keys(out)]) {
      rmSync(join(o.outDir, name), { recursive: true, force: true });
      cpSync(join(staged, name), join(o.outDir, name), { recursive: true });
    }
    step(`released to ${o.outDir}`);
    return out;
  } finally {
    await engines.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** the released models present in a folder (with their metadata), checked against their checksums */
export function releasedModels(dir: string): { name: BuiltinModel; dir: string; meta: ReleasedModel }[] {
  const found: { name: BuiltinModel; dir: string; meta: ReleasedModel }[] = [];
  for (const name of MODEL_NAMES) {
    const d = join(dir, name);
    const file = join(d, 'metadata.json');
    if (!existsSync(file)) continue;
    const meta = JSON.parse(readFileSync(file, 'utf8')) as ReleasedModel;
    const actual = checksumsOf(d, readdirSync(d));
    for (const [f, sum] of Object.entries(meta.checksums ?? {}))
      if (actual[f] !== sum)
        throw new ArtifactError(
          join(d, f),
          'differs from the release (checksum)',
          'restore models/ from the repository, or rebuild it with `npm run release-models -- --dataset FILE`',
        );
    found.push({ name, dir: d, meta });
  }
  return found;
}

/**
 * A first start: the released tokenizer becomes the data dir's (the sample's v2 features are then
 * computed with it), and the released versions are registered, alias production, for the models
 * that have no version yet. Returns what was registered.
 */
export async function registerReleased(engines: Engines, o: { tokenizer: boolean; log: (s: string) => void }): Promise<string[]> {
  const dir = engines.config.releasedModelsDir;
  if (!existsSync(dir)) return [];
  if (o.tokenizer && !engines.tokenizers.exists() && existsSync(join(dir, 'tokenizer', 'tokenizer.json'))) {
    engines.tokenizers.save(KerasTokenizer.load(join(dir, 'tokenizer')));
    o.log(`tokenizer: the released one (${join(dir, 'tokenizer')})`);
  }
  const registered: string[] = [];
  let released: ReturnType<typeof releasedModels>;
  try {
    released = releasedModels(dir);
  } catch (e) {
    o.log(`the released models are not served: ${(e as Error).message}`);
    return [];
  }
  for (const r of released) {
    if ((await engines.models.list(r.name)).length > 0) continue;
    const staging = stagingDirFor(engines.config.modelsDir, `release-${r.name}`);
    rmSync(staging, { recursive: true, force: true });
    cpSync(r.dir, staging, { recursive: true });
    rmSync(join(staging, 'metadata.json'), { force: true });
    const { release, checksums: _c, ...meta } = r.meta;
    const v = await engines.models.register(staging, { ...meta, runId: `release (${release.createdAt.slice(0, 10)}, ${release.dataset.rows} messages)` });
    await engines.models.setAlias(r.name, 'production', v.version);
    registered.push(`${r.name} version ${v.version} (accuracy ${r.meta.metrics.accuracy.toFixed(3)})`);
  }
  if (registered.length) o.log(`released models registered, alias production: ${registered.join(', ')}`);
  return registered;
}
