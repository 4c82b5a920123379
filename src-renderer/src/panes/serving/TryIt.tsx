import type { ModelEntry, PredictionAnswer, VersionPredictionAnswer } from '../../api';
import { useServing } from '../../store/serving';
import { Card, ErrorBox, Spinner, pct } from '../../ui';

/** the versions "Try it" can ask for: the served route, each alias, every registered version */
function versionChoices(entry: ModelEntry | undefined, servedVersion: string | null | undefined) {
  const versions = entry?.versions ?? [];
  const aliases = [...new Set(versions.flatMap((v) => v.aliases))].sort();
  return [
    { value: '', label: `served (POST /model/${entry?.id ?? '…'}${servedVersion ? `: version ${servedVersion}` : ''})` },
    ...aliases.map((a) => ({ value: a, label: `alias ${a} → version ${versions.find((v) => v.aliases.includes(a))?.version}` })),
    ...versions.map((v) => ({ value: v.version, label: `version ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}` })),
  ];
}

const isVersionAnswer = (r: PredictionAnswer | VersionPredictionAnswer): r is VersionPredictionAnswer => 'asked' in r;

export function TryIt() {
  const version = useServing((s) => s.version);
  const tried = useServing((s) => s.tried);
  const text = useServing((s) => s.text);
  const prediction = useServing((s) => s.prediction);
  const setVersion = useServing((s) => s.setVersion);
  const setTried = useServing((s) => s.setTried);
  const setText = useServing((s) => s.setText);
  const predict = useServing((s) => s.predict);
  const servedList = useServing((s) => s.stats.data?.served);
  const models = useServing((s) => s.models.data);
  const served = servedList?.map((s) => s.name);
  const servedVersion = servedList?.find((s) => s.name === version)?.loaded;
  const choices = versionChoices(
    models?.find((m) => m.id === version),
    servedVersion,
  );
  const r = prediction.data;
  const route = tried ? `/models/${version}/versions/${tried}/text_to_prediction` : `/model/${version}/text_to_prediction`;
  return (
    <Card title="Try it" subtitle={<>POST {route}</>}>
      <form
        className="tryit"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void predict();
        }}
      >
        <div className="row wrap-tight">
          <label className="field">
            <span>Model</span>
            <select aria-label="serving version" value={version} onChange={(e) => setVersion(e.target.value)}>
              {(served ?? ['v1', 'v2', 'v3']).map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>Version</span>
            <select aria-label="registered version to try" value={tried} onChange={(e) => setTried(e.target.value)}>
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span>Text</span>
          <textarea aria-label="text to classify" rows={3} maxLength={20_000} value={text} onChange={(e) => setText(e.target.value)} />
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
          <div className="muted small" data-testid="answered-by">
            spam {pct(r.prediction.spam, 2)} · ham {pct(r.prediction.ham, 2)} ·{' '}
            {isVersionAnswer(r) ? (
              <>
                answered by {r.model} version {r.version}
                {r.aliases.length ? ` (${r.aliases.join(', ')})` : ' (no alias)'}
                {r.asked !== r.version ? `, asked as "${r.asked}"` : ''}
                {r.threshold !== null ? ` · threshold ${r.threshold}` : ''}
              </>
            ) : (
              <>
                answered by the served {prediction.version}
                {servedVersion ? ` (version ${servedVersion})` : ''}
              </>
            )}{' '}
            · {r.from_cache ? <span className="pill">from cache</span> : 'computed (not from cache)'}
          </div>
        </div>
      )}
    </Card>
  );
}
