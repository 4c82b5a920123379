/** The offline sources rebuilt from the warehouse (an import does it): a label pushed meanwhile keeps its place. */
import { describe, expect, it } from 'vitest';
import { sampleServerForFile } from '../testing/fixtures';
import { SOURCE_EVENT_TIMES } from '../featurestore';
import { buildOfflineSources } from './offline-sources';

// the sample bootstrapped (no models): the engines the rebuild runs on
const sample = sampleServerForFile({ train: false });

describe('rebuilding the offline sources', () => {
  it('keeps a label pushed for the warehouse rows’ own event time: the later statement wins the tie, before and after the rebuild', async () => {
    const engines = sample.engines;
    const [m] = (await engines.storage.labelled.all()).filter((x) => x.label === 'ham');
    const at = SOURCE_EVENT_TIMES.labels;
    await engines.features.push('labels_push', { sms_id: [m.sms_id], event_timestamp: [at], label: ['spam'] }, 'online_and_offline');
    const label = async () => {
      const refs = await engines.features.resolveRefs({ features: ['sms_labels:label'] });
      const h = await engines.features.getHistoricalFeatures({ keys: [m.sms_id], timestamps: [Date.parse(at)] }, refs);
      return h.rows[0].label;
    };
    expect(await label()).toBe('spam');
    await buildOfflineSources(engines); // what an import does once its rows are stored
    // created at the rebuild, the warehouse row took the tie back: ham again
    expect(await label()).toBe('spam');
    await engines.features.materialize(0, Date.now(), ['sms_labels']);
    const online = await engines.features.getOnlineFeatures({ features: ['sms_labels:label'], entities: { sms_id: [m.sms_id] } });
    expect(online.results[1].values).toEqual(['spam']);
  });
});
