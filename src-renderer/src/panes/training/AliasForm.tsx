/** Point an alias at a version. */
import { useState } from 'react';
import { aliasProblem } from '../../../../src-shared/training';
import type { ModelEntry } from '../../api';
import { useTraining } from '../../store/training';

export function AliasForm({ models }: { models: ModelEntry[] }) {
  const setAlias = useTraining((s) => s.setAlias);
  const withVersions = models.filter((m) => m.versions.length > 0);
  const [name, setName] = useState(withVersions[0]?.id ?? '');
  const entry = withVersions.find((m) => m.id === name) ?? withVersions[0];
  const [version, setVersion] = useState('');
  const [alias, setAliasText] = useState('production');
  /** why the name typed is refused (said beside the field, not left to the browser's bubble) */
  const [problem, setProblem] = useState('');
  const v = entry?.versions.some((x) => x.version === version) ? version : (entry?.versions[entry.versions.length - 1]?.version ?? '');
  if (!entry) return null;
  return (
    <form
      className="row wrap-tight alias-form"
      onSubmit={(e) => {
        e.preventDefault();
        const why = aliasProblem(alias);
        setProblem(why);
        if (!why && v) void setAlias(entry.id, alias, v);
      }}
      noValidate
    >
      <span className="muted small">Point an alias at a version:</span>
      <select aria-label="alias model" value={entry.id} onChange={(e) => setName(e.target.value)}>
        {withVersions.map((m) => (
          <option key={m.id}>{m.id}</option>
        ))}
      </select>
      <select aria-label="alias version" value={v} onChange={(e) => setVersion(e.target.value)}>
        {entry.versions.map((x) => (
          <option key={x.version} value={x.version}>
            version {x.version}
          </option>
        ))}
      </select>
      <input
        aria-label="alias name"
        value={alias}
        onChange={(e) => {
          setAliasText(e.target.value);
          if (problem) setProblem(aliasProblem(e.target.value));
        }}
        required
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'alias-name-problem' : undefined}
        title="lower-case letters, digits, - and _"
        size={14}
      />
      <button type="submit">Set alias</button>
      {problem && (
        <span id="alias-name-problem" className="error-text small" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
