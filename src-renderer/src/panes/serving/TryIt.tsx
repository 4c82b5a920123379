import { useServing } from '../../store/serving';
import { Card, ErrorBox, Spinner, pct } from '../../ui';

export function TryIt() {
  const version = useServing((s) => s.version);
  const text = useServing((s) => s.text);
  const prediction = useServing((s) => s.prediction);
  const setVersion = useServing((s) => s.setVersion);
  const setText = useServing((s) => s.setText);
  const predict = useServing((s) => s.predict);
  const served = useServing((s) => s.stats.data?.served)?.map((s) => s.name);
  const r = prediction.data;
  return (
    <Card title="Try it" subtitle={<>POST /model/{version}/text_to_prediction</>}>
      <form
        className="tryit"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void predict();
        }}
      >
        <label className="field">
          <span>Version</span>
          <select aria-label="serving version" value={version} onChange={(e) => setVersion(e.target.value)}>
            {(served ?? ['v1', 'v2', 'v3']).map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Text</span>
          <textarea aria-label="text to classify" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={prediction.loading || !text.trim()}>
            Predict
          </button>
          {prediction.loading && <Spinner label="Predicting" />}
        </div>
      </form>
      <ErrorBox error={prediction.error} />
      {r && !prediction.loading && (
        <div className="prediction" data-testid="prediction">
          <span className={`badge big ${r.top.label}`}>
            {r.top.label === 'spam' ? 'SPAM' : 'HAM'} {pct(r.top.value)}
          </span>
          <div className="prob-bar" role="img" aria-label={`spam probability ${pct(r.prediction.spam)}`}>
            <div className="prob-spam" style={{ width: `${r.prediction.spam * 100}%` }} />
          </div>
          <div className="muted small">
            spam {pct(r.prediction.spam, 2)} · ham {pct(r.prediction.ham, 2)} · {prediction.version} ·{' '}
            {r.from_cache ? <span className="pill">from cache</span> : 'computed (not from cache)'}
          </div>
        </div>
      )}
    </Card>
  );
}
