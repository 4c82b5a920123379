/**
 * The feature repository of the seed story, as typed definitions (Feast's
 * `feature_definitions.py`). The story grows it in stages, chosen like the seed does with
 * FEAST_STORE_STAGE: 2019 (features v1 + labels), 2020 (+ features v2 from a file source),
 * 2021 (features v2 fed through a push source over the same file source).
 */
import type { DataSourceDef, EntityDef, FeatureServiceDef, FeatureViewDef, FieldDef, RegistryDefinitions } from '../../src-shared/featurestore';
import { CUE_WORDS, DEFAULT_TOKENIZER_SETTINGS } from '../features';

export const STAGES = ['2019', '2020', '2021'] as const;
export type Stage = (typeof STAGES)[number];
export const LATEST_STAGE: Stage = '2021';

export function isStage(s: string): s is Stage {
  return (STAGES as readonly string[]).includes(s);
}

/** event times the seed gives the offline rows of each file source */
export const SOURCE_EVENT_TIMES: Record<string, string> = {
  smss1: '2019-02-03T00:00:00Z',
  labels: '2019-02-03T00:00:00Z',
  smss2: '2020-04-05T00:00:00Z',
};

const sms: EntityDef = {
  name: 'sms',
  joinKeys: ['sms_id'],
  valueType: 'String',
  description: 'One SMS message, identified by its sms_id.',
};

function fileSource(name: string, description: string): DataSourceDef {
  return { kind: 'file', name, path: name, timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp', description };
}

const features1Fields: FieldDef[] = [
  { name: 'cap_r', dtype: 'Float64', description: 'Capital letters over all letters of the alphabetic tokens.' },
  { name: 'nal_r', dtype: 'Float64', description: 'Non-alphabetic characters over alphabetic characters.' },
  ...CUE_WORDS.map((w, i) => ({
    name: `cw_scores_${i}`,
    dtype: 'Int64' as const,
    description: `1 if the cue word "${w}" is one of the lower-cased alphabetic tokens, else 0.`,
  })),
];

export function definitionsForStage(stage: Stage): RegistryDefinitions {
  const sources: DataSourceDef[] = [
    fileSource('smss1', 'Features v1 of the labelled messages (Parquet).'),
    fileSource('labels', 'The spam/ham labels of the labelled messages (Parquet).'),
  ];
  const views: FeatureViewDef[] = [
    {
      name: 'sms_features1',
      entities: ['sms'],
      schema: features1Fields,
      source: 'smss1',
      ttlSeconds: 0,
      online: true,
      tags: { generation: 'v1', team: 'feature-engineering' },
      description: 'Hand-made text features of 2019: ratios and cue words.',
    },
    {
      name: 'sms_labels',
      entities: ['sms'],
      schema: [{ name: 'label', dtype: 'String', description: 'The class of the message: "spam" or "ham".' }],
      source: 'labels',
      ttlSeconds: 0,
      online: true,
      tags: { kind: 'label' },
      description: 'Ground-truth labels.',
    },
  ];
  const services: FeatureServiceDef[] = [
    {
      name: 'labeled_sms_1',
      features: [{ view: 'sms_features1' }, { view: 'sms_labels' }],
      description: 'Features v1 with labels: the training set of model v1.',
      tags: {},
    },
  ];
  if (stage !== '2019') {
    sources.push(fileSource('smss2', 'Features v2 (token ids) of the labelled messages (Parquet).'));
    if (stage === '2021') {
      sources.push({
        kind: 'push',
        name: 'smss2_push',
        batchSource: 'smss2',
        description: 'Real-time entry point of features v2: pushed rows reach the offline source and, if asked, the online store.',
      });
      sources.push({
        kind: 'push',
        name: 'labels_push',
        batchSource: 'labels',
        description: 'Feedback labels stated by operators and tools, pushed to the labels source and the online store.',
      });
      views[1] = { ...views[1], source: 'labels_push' };
    }
    views.push({
      name: 'sms_features2',
      entities: ['sms'],
      schema: [
        {
          name: 'features',
          dtype: 'Array(Int64)',
          length: DEFAULT_TOKENIZER_SETTINGS.MAX_SEQ_LENGTH,
          description: `Token ids of the text (Keras-style tokenizer, ${DEFAULT_TOKENIZER_SETTINGS.MAX_NUM_WORDS} words), pre-padded to ${DEFAULT_TOKENIZER_SETTINGS.MAX_SEQ_LENGTH}.`,
        },
      ],
      source: stage === '2021' ? 'smss2_push' : 'smss2',
      ttlSeconds: 0,
      online: true,
      tags: { generation: 'v2', team: 'feature-engineering' },
      description: 'Tokenized text of 2020, used by models v2 and v3.',
    });
    services.push({
      name: 'labeled_sms_2',
      features: [{ view: 'sms_features2' }, { view: 'sms_labels' }],
      description: 'Features v2 with labels: the training set of models v2 and v3.',
      tags: {},
    });
  }
  return { project: 'sms_feature_store', entities: [sms], sources, featureViews: views, featureServices: services };
}
