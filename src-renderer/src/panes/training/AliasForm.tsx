/** Point an alias at a version. */
import { useState } from 'react';
import type { ModelEntry } from '../../api';
import { useTraining } from '../../store/training';

export function AliasForm({ models }: { models: ModelEntry[] }) {
  const setAlias = useTraining((s) => s.setAlias);
  const withVersions = models.filter((m) => m.versions.length > 0);
  const [name, setName] = useState(withVersions[0]?.id ?? '');
  const entry = withVersions.find((m) => m.id === name) ?? withVersions[0];
  const [version, setVersion] = useState('');
  const [alias, setAliasText] = useState('production');
  const v = entry?.versions.some((x) => x.version === version) ? version : (entry?.versions[entry.versions.length - 1]?.version ?? '');
  if (!entry) return null;
  return (
    <form
      className="row wrap-tight alias-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (alias && v) void setAlias(entry.id, alias, v);
      }}
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
        onChange={(e) => setAliasText(e.target.value)}
        pattern="[a-z][a-z0-9_\-]{0,39}"
        title="lower-case letters, digits, - and _"
        size={14}
      />
      <button type="submit">Set alias</button>
    </form>
  );
}
