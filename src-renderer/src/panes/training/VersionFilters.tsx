/**
 * The Versions table's filters: model, alias, the run's tag, and a metric on the shared evaluation
 * set at least a value. The registry searches (GET /model-versions); the filter lives in the address.
 */
import { useEffect, useState } from 'react';
import { api, errorText, type ModelEntry } from '../../api';
import { useTraining, type VersionFilter } from '../../store/training';

const METRICS: { key: NonNullable<VersionFilter['metric']>; label: string }[] = [
  { key: 'accuracy', label: 'accuracy' },
  { key: 'precision', label: 'precision' },
  { key: 'recall', label: 'recall' },
  { key: 'f1', label: 'F1 spam' },
  { key: 'averagePrecision', label: 'average precision' },
  { key: 'rocAuc', label: 'ROC AUC' },
];

export interface FilteredVersions {
  /** the "model/version" keys the filter keeps; undefined: no filter, every version */
  keys?: Set<string>;
  /** the filter's metric of each kept version, on the shared evaluation set */
  values: Map<string, number>;
  metric?: string;
  loading: boolean;
  error?: string;
}

/** the registry searched with the table's filter, again whenever the filter or the versions change */
export function useFilteredVersions(): FilteredVersions {
  const filter = useTraining((s) => s.versionFilter);
  const models = useTraining((s) => s.models.data);
  const [state, setState] = useState<FilteredVersions>({ values: new Map(), loading: false });
  const active = Object.keys(filter).length > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: models is a trigger: the search is asked again when versions, aliases or tags change
  useEffect(() => {
    if (!active) {
      setState({ values: new Map(), loading: false });
      return;
    }
    let current = true;
    setState((s) => ({ ...s, loading: true, metric: filter.metric }));
    api
      .searchVersions(filter)
      .then((hits) => {
        if (!current) return;
        setState({
          keys: new Set(hits.map((h) => `${h.name}/${h.version}`)),
          values: new Map(hits.filter((h) => h.evaluated).map((h) => [`${h.name}/${h.version}`, h.evaluated!.value])),
          metric: filter.metric,
          loading: false,
        });
      })
      .catch((e) => {
        // the search failed: every version stays listed, with the reason (an empty table said there were none)
        if (current) setState({ values: new Map(), metric: filter.metric, loading: false, error: errorText(e) });
      });
    return () => {
      current = false;
    };
  }, [filter, models, active]);
  return state;
}

export function VersionFilters({ models, shown, total, state }: { models: ModelEntry[]; shown: number; total: number; state: FilteredVersions }) {
  const filter = useTraining((s) => s.versionFilter);
  const setFilter = useTraining((s) => s.setVersionFilter);
  const [min, setMin] = useState(filter.min ?? '');
  useEffect(() => setMin(filter.min ?? ''), [filter.min]);
  // a metric is a share: a value outside [0, 1] is said here, not sent (nor written into the address)
  const minValue = min.trim() === '' ? undefined : Number(min.trim());
  const minProblem = minValue !== undefined && !(minValue >= 0 && minValue <= 1) ? `"${min.trim()}" is not a number from 0 to 1` : undefined;
  const applyMin = () => {
    if (!minProblem) change({ min: min.trim() || undefined });
  };
  const names = models.filter((m) => m.versions.length > 0).map((m) => m.id);
  const aliases = [...new Set(models.flatMap((m) => m.versions.flatMap((v) => v.aliases)))].sort();
  const tags = [...new Set(models.flatMap((m) => m.versions.flatMap((v) => v.run?.tags ?? [])))].sort();
  const change = (patch: Partial<VersionFilter>) => setFilter({ ...filter, ...patch });
  return (
    <form
      className="version-filters row wrap-tight"
      aria-label="filter versions"
      onSubmit={(e) => {
        e.preventDefault();
        applyMin();
      }}
    >
      <label className="field">
        <span>Model</span>
        <select aria-label="filter by model" value={filter.model ?? ''} onChange={(e) => change({ model: e.target.value || undefined })}>
          <option value="">any</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Alias</span>
        <select aria-label="filter by alias" value={filter.alias ?? ''} onChange={(e) => change({ alias: e.target.value || undefined })}>
          <option value="">any</option>
          {aliases.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Tag</span>
        <select aria-label="filter by tag" value={filter.tag ?? ''} onChange={(e) => change({ tag: e.target.value || undefined })}>
          <option value="">any</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Metric (eval set)</span>
        <select
          aria-label="filter by metric"
          value={filter.metric ?? ''}
          onChange={(e) => change({ metric: (e.target.value || undefined) as VersionFilter['metric'] })}
        >
          <option value="">none</option>
          {METRICS.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field narrow-field">
        <span>at least</span>
        <input
          aria-label="metric at least"
          inputMode="decimal"
          placeholder="0.95"
          value={min}
          disabled={!filter.metric}
          onChange={(e) => setMin(e.target.value)}
          onBlur={applyMin}
          aria-invalid={minProblem ? true : undefined}
        />
      </label>
      {minProblem && (
        <span className="error-text small" role="alert">
          at least: {minProblem}
        </span>
      )}
      <button type="submit" className="small" disabled={!filter.metric}>
        Apply
      </button>
      {Object.keys(filter).length > 0 && (
        <button type="button" className="small ghost" onClick={() => setFilter({})}>
          Clear filters
        </button>
      )}
      <span className="muted small" role="status" data-testid="version-filter-count">
        {state.loading ? 'searching…' : Object.keys(filter).length > 0 && !state.error ? `${shown} of ${total} versions` : `${total} versions`}
      </span>
      {state.error && (
        <p className="error-text small" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
