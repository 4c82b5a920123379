/**
 * `spamops train <model>`: train a model with a progress bar and register the version. The
 * hyperparameters are checked against the training-parameter schema of src-shared, the same
 * one the API validates with and the console's form reads its hints from.
 */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import {
  MODEL_NAMES,
  RUN_NAME_MAX,
  RUN_TAGS_MAX,
  TRAIN_PARAM_KEYS,
  paramHint,
  parseTrainParam,
  runLabelsProblem,
  type BackendName,
  type BuiltinModel,
  type TrainParams,
} from '../../../src-shared/training';
import { ModelRegistry } from '../../training';
import { CliError, oneOf, withEngines, initRunsForTraining } from '../context';
import { trainWithProgress } from './training-output';

export const BACKENDS: readonly BackendName[] = ['auto', 'fused-native', 'fused-wasm', 'tfjs-node', 'tfjs-wasm', 'tfjs-cpu', 'js-forest'];

/** a `--flag value` checked as the parameter `key` of the schema */
const param = (key: string) => (raw: string) => {
  const r = parseTrainParam(key, raw);
  if ('error' in r) throw new InvalidArgumentError(r.error);
  return r.value;
};

/** repeated `--param key=value`, each checked by the schema */
function keyValue(raw: string, previous: Record<string, string | number> = {}): Record<string, string | number> {
  const i = raw.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`--param: expected key=value, got "${raw}"`);
  const key = raw.slice(0, i);
  return { ...previous, [key]: param(key)(raw.slice(i + 1)) };
}

/** `--name`, checked as the API checks a run's name */
export function runName(raw: string): string {
  const problem = runLabelsProblem({ name: raw });
  if (problem) throw new InvalidArgumentError(problem.message);
  return raw;
}

/** repeated `--tag`, each checked as the API checks a tag, at most RUN_TAGS_MAX */
export function runTag(raw: string, previous: string[] = []): string[] {
  const problem = runLabelsProblem({ tags: [raw] });
  if (problem) throw new InvalidArgumentError(problem.message.replace(/^tags\.0/, 'tag'));
  if (previous.length >= RUN_TAGS_MAX) throw new InvalidArgumentError(`at most ${RUN_TAGS_MAX} tags`);
  return [...previous, raw];
}

export const trainCommand = new Command('train')
  .helpGroup(GROUPS.training)
  .description('train a model (progress bar) and register the version')
  .argument('<model>', `${MODEL_NAMES.join(', ')} or a model id of your own (with --base)`)
  .option('--base <generation>', 'for a model id of your own: the generation to build it as (default v3)', oneOf('--base', MODEL_NAMES))
  .option('--epochs <n>', paramHint('epochs'), param('epochs'))
  .option('--batch-size <n>', paramHint('batchSize'), param('batchSize'))
  .option('--learning-rate <x>', paramHint('learningRate'), param('learningRate'))
  .option('--seed <n>', paramHint('seed'), param('seed'))
  .option('--time-freeze <ts>', paramHint('timeFreeze'), param('timeFreeze'))
  .option('--backend <name>', `training backend: ${BACKENDS.join(', ')}`, oneOf('--backend', BACKENDS))
  .option('--alias <name>', 'point this alias (e.g. production) at the new version')
  .option('--name <text>', `the run's name (at most ${RUN_NAME_MAX} characters)`, runName)
  .option('--tag <tag>', `a tag of the run, repeatable (at most ${RUN_TAGS_MAX}; a-z, 0-9, ".", "_", "-")`, runTag)
  .option(
    '--param <key=value>',
    `any hyperparameter, repeatable: ${TRAIN_PARAM_KEYS.filter((k) => k !== 'entityIds' && k !== 'extraEntityIds').join(', ')}`,
    keyValue,
  )
  .action(
    async (
      model: string,
      o: {
        base?: BuiltinModel;
        epochs?: number;
        batchSize?: number;
        learningRate?: number;
        seed?: number;
        timeFreeze?: string;
        backend?: BackendName;
        alias?: string;
        name?: string;
        tag?: string[];
        param?: Record<string, string | number>;
      },
      cmd: Command,
    ) => {
      if (!ModelRegistry.isModelName(model)) throw new CliError(`train: expected v1, v2, v3 or a model id of your own (with --base v1|v2|v3), got "${model}"`);
      const flags = { epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, timeFreeze: o.timeFreeze };
      const params = Object.fromEntries(Object.entries({ ...o.param, ...flags }).filter(([, v]) => v !== undefined)) as TrainParams;
      await withEngines(cmd, async (e) => {
        await initRunsForTraining(e);
        const r = await trainWithProgress(e, { model, base: o.base, params, backend: o.backend, alias: o.alias, name: o.name, tags: o.tag });
        if (r.status !== 'succeeded') throw new CliError(`run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}`);
      });
    },
  );
