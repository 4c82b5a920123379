import { useTraining, TRAIN_MODELS, specOf, type TrainModel } from '../../store/training';
import { RUN_NAME_MAX, RUN_TAGS_MAX, paramHint } from '../../../../src-shared/training';
import { familyDisplayOf } from '../../../../src-shared/model-specs';
import { Card, ErrorBox, Icon } from '../../ui';

export function StartRun() {
  const form = useTraining((s) => s.form);
  const starting = useTraining((s) => s.starting);
  const setForm = useTraining((s) => s.setForm);
  const chooseModel = useTraining((s) => s.chooseModel);
  const resetParams = useTraining((s) => s.resetParams);
  const start = useTraining((s) => s.start);
  const spec = specOf(form.model);
  return (
    <Card title="Start a training run" subtitle={spec.description}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <div className="row wrap-tight">
          <label className="field">
            <span>Model</span>
            <select aria-label="train model" value={form.model} onChange={(e) => chooseModel(e.target.value as TrainModel)}>
              {TRAIN_MODELS.map((m) => (
                <option key={m} value={m}>
                  {m} · {familyDisplayOf(m).label}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>Alias (optional)</span>
            <input
              aria-label="alias"
              placeholder="e.g. production, staging"
              value={form.alias}
              pattern="[a-z][a-z0-9_\-]{0,39}"
              title="lower-case letters, digits, - and _"
              onChange={(e) => setForm({ alias: e.target.value })}
            />
          </label>
        </div>
        <div className="row wrap-tight">
          <label className="field grow">
            <span>Run name (optional)</span>
            <input
              aria-label="run name"
              placeholder="e.g. more trees"
              maxLength={RUN_NAME_MAX}
              value={form.name}
              onChange={(e) => setForm({ name: e.target.value })}
            />
          </label>
          <label className="field grow">
            <span>Tags (optional)</span>
            <input
              aria-label="run tags"
              placeholder="e.g. baseline, sms-only"
              title={`up to ${RUN_TAGS_MAX} tags, comma-separated: a-z, 0-9, ".", "_", "-"`}
              value={form.tags}
              onChange={(e) => setForm({ tags: e.target.value })}
            />
          </label>
        </div>
        <fieldset className="params">
          <legend>
            Hyperparameters{' '}
            <button type="button" className="link small" onClick={resetParams}>
              reset to defaults
            </button>
          </legend>
          {Object.entries(form.params).map(([k, v]) => {
            const def = String((spec.defaults as Record<string, unknown>)[k] ?? '');
            return (
              <label key={k} className={`param ${v !== def ? 'changed' : ''}`} title={paramHint(k)}>
                <span className="param-name">{k}</span>
                <input
                  aria-label={k}
                  value={v}
                  onChange={(e) => setForm({ params: { ...form.params, [k]: e.target.value } })}
                  inputMode={k === 'timeFreeze' || k === 'featureService' ? 'text' : 'decimal'}
                />
              </label>
            );
          })}
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={starting.loading}>
            <Icon name="play" /> {starting.loading ? 'Starting…' : 'Start run'}
          </button>
          <span className="muted small">Runs queue and train one at a time in a worker thread.</span>
        </div>
      </form>
      <ErrorBox error={starting.error} title="The run was not started:" />
    </Card>
  );
}
