/** An operator's test and threshold for one feature (kept in the monitoring settings); empty test: the automatic choice. */
import { useState } from 'react';
import { api, type FeatureDrift, type StatTestName } from '../../api';
import { useDrift } from '../../store/drift';

const NAMES: StatTestName[] = ['ks', 'wasserstein_normed', 'z_test', 'fisher_exact', 'chi_square', 'jensen_shannon'];

export function FeatureTestForm({ features }: { features: FeatureDrift[] }) {
  const [feature, setFeature] = useState(features[0]?.feature ?? '');
  const [test, setTest] = useState<StatTestName | ''>('');
  const [threshold, setThreshold] = useState('');
  const [message, setMessage] = useState('');
  const [failed, setFailed] = useState(false);
  const save = async () => {
    try {
      const s = await api.monitorSettings();
      const tests = { ...(s.drift.tests ?? {}) };
      const thresholds = { ...(s.drift.thresholds ?? {}) };
      if (test) tests[feature] = test;
      else delete tests[feature];
      if (threshold) thresholds[feature] = Number(threshold);
      else delete thresholds[feature];
      await api.saveMonitorSettings({ drift: { ...s.drift, tests, thresholds } });
      setFailed(false);
      setMessage(`saved for ${feature}`);
      await useDrift.getState().loadAll();
    } catch (e) {
      setFailed(true);
      setMessage((e as Error).message);
    }
  };
  return (
    <div className="row wrap">
      <label className="field inline">
        <span>Feature</span>
        <select aria-label="override feature" value={feature} onChange={(e) => setFeature(e.target.value)}>
          {features.map((f) => (
            <option key={f.feature}>{f.feature}</option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span>Test</span>
        <select aria-label="override test" value={test} onChange={(e) => setTest(e.target.value as StatTestName | '')}>
          <option value="">automatic</option>
          {NAMES.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span>Threshold</span>
        <input
          aria-label="override threshold"
          type="number"
          step="any"
          min={0}
          max={10}
          placeholder="default"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
      </label>
      <button type="button" onClick={() => void save()}>
        Set for this feature
      </button>
      {message &&
        (failed ? (
          <span className="error-text small" role="alert">
            {message}
          </span>
        ) : (
          <span className="muted small" role="status">
            {message}
          </span>
        ))}
    </div>
  );
}
