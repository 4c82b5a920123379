/** A run's name and tags, shown under its title and edited in place (its versions show them too). */
import { useState } from 'react';
import type { RunRecord } from '../../api';
import { parseTags, useTraining } from '../../store/training';
import { RUN_NAME_MAX, RUN_TAGS_MAX, runLabelsProblem } from '../../../../src-shared/training';

export function RunLabels({ run }: { run: RunRecord }) {
  const relabel = useTraining((s) => s.relabel);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!editing)
    return (
      <div className="run-labels" data-testid="run-labels">
        <span className={run.name ? '' : 'muted'}>{run.name ?? 'no name'}</span>
        {(run.tags ?? []).map((t) => (
          <span key={t} className="tag small-tag">
            {t}
          </span>
        ))}
        <button
          type="button"
          className="link small"
          aria-label={`edit the name and tags of run ${run.id}`}
          onClick={() => {
            setName(run.name ?? '');
            setTags((run.tags ?? []).join(', '));
            setError(undefined);
            setEditing(true);
          }}
        >
          edit name and tags
        </button>
      </div>
    );
  const save = async () => {
    const body = { name: name.trim(), tags: parseTags(tags) };
    const problem = runLabelsProblem(body);
    if (problem) return setError(problem.message);
    setBusy(true);
    const e = await relabel(run.id, body);
    setBusy(false);
    if (e) setError(e);
    else setEditing(false);
  };
  return (
    <form
      className="run-labels editing row wrap-tight"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label className="field grow">
        <span>Name</span>
        <input aria-label="edit run name" maxLength={RUN_NAME_MAX} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field grow">
        <span>Tags (comma-separated, up to {RUN_TAGS_MAX})</span>
        <input aria-label="edit run tags" value={tags} onChange={(e) => setTags(e.target.value)} />
      </label>
      <button type="submit" className="small primary" disabled={busy}>
        Save
      </button>
      <button type="button" className="small" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
