/**
 * Guarded promotion: the candidate beside the alias's holder on the shared evaluation set, a
 * confirmation when it is worse on the chosen metric or was trained on that set, a note; then the alias's history with a
 * one-click rollback to the previous holder.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, type AliasMove, type PromotionCheck } from '../../api';
import { ErrorBox, Spinner, when } from '../../ui';

type Metric = 'f1' | 'averagePrecision' | 'rocAuc' | 'accuracy';
const METRICS: [Metric, string][] = [
  ['f1', 'F1 at its threshold'],
  ['averagePrecision', 'average precision'],
  ['rocAuc', 'ROC AUC'],
  ['accuracy', 'accuracy at its threshold'],
];

export function AliasHistory({ name, alias = 'production', onChanged }: { name: string; alias?: string; onChanged?: () => void }) {
  const [moves, setMoves] = useState<AliasMove[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    api
      .aliasHistory(name)
      .then((m) => setMoves(m.filter((x) => x.alias === alias)))
      .catch((e) => setError(errorText(e)));
  }, [name, alias]);
  useEffect(load, [load]);
  const last = moves?.[moves.length - 1];
  return (
    <div className="alias-history" data-testid="alias-history">
      <div className="chart-title">
        History of {name} {alias}
        {last?.from && (
          <button
            type="button"
            className="small"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await api.rollback(name, alias);
                load();
                onChanged?.();
              } catch (e) {
                setError(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Roll back to version {last.from}
          </button>
        )}
      </div>
      <ErrorBox error={error} />
      {moves && moves.length === 0 && <p className="muted small">No moves recorded yet.</p>}
      {moves && moves.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>when</th>
              <th>from</th>
              <th>to</th>
              <th>note</th>
            </tr>
          </thead>
          <tbody>
            {[...moves].reverse().map((m) => (
              <tr key={`${m.at}-${m.to}`}>
                <td className="nowrap">{when(m.at)}</td>
                <td>{m.from ?? '–'}</td>
                <td>{m.to ?? 'removed'}</td>
                <td className="muted">{m.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Promote({ name, version, onDone }: { name: string; version: string; onDone: () => void }) {
  const [metric, setMetric] = useState<Metric>('f1');
  const [check, setCheck] = useState<PromotionCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>();

  useEffect(() => {
    setCheck(undefined);
    setConfirmed(false);
    api
      .promotionCheck(name, version, { alias: 'production', metric })
      .then(setCheck)
      .catch((e) => setError(errorText(e)));
  }, [name, version, metric]);

  const promote = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.setAlias(name, 'production', version, { guard: metric, confirm: confirmed, ...(note ? { note } : {}) });
      setDone(`${name} version ${version} is now production`);
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="promote" data-testid="promote" aria-label={`promote ${name} version ${version}`}>
      <div className="chart-title">
        Promote {name} version {version} to production
      </div>
      <label className="small">
        compare by{' '}
        <select value={metric} onChange={(e) => setMetric(e.target.value as Metric)} aria-label="compare by">
          {METRICS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {!check && !error && <Spinner />}
      {check && (
        <table className="compare-table" aria-label="candidate and holder">
          <thead>
            <tr>
              <th />
              <th>version</th>
              <th className="num">{METRICS.find(([k]) => k === metric)?.[1]}</th>
            </tr>
          </thead>
          <tbody>
            <tr className={check.worse || check.flattered ? 'warn-row' : ''}>
              <th scope="row">candidate</th>
              <td>
                {check.candidate.version}
                {check.flattered && <span className="muted tiny"> (trained on this set)</span>}
              </td>
              <td className="num" data-testid="candidate-value">
                {check.candidate.value.toFixed(4)}
              </td>
            </tr>
            <tr>
              <th scope="row">production now</th>
              <td>{check.holder?.version ?? '– (none)'}</td>
              <td className="num" data-testid="holder-value">
                {check.holder ? check.holder.value.toFixed(4) : '–'}
              </td>
            </tr>
          </tbody>
          <caption className="muted tiny">
            on the shared evaluation set {check.set} ({check.messages} messages)
          </caption>
        </table>
      )}
      {(check?.worse || check?.flattered) && (
        <label className="warn small">
          <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />{' '}
          {check.flattered
            ? 'It was trained on the evaluation set it is judged on, so its figures flatter it: promote it anyway'
            : 'It is worse than the version it replaces: promote it anyway'}
        </label>
      )}
      <div className="threshold-form">
        <input type="text" placeholder="note (why)" value={note} onChange={(e) => setNote(e.target.value)} aria-label="promotion note" maxLength={500} />
        <button
          type="button"
          className="small solid"
          disabled={busy || !check || ((check.worse || check.flattered === true) && !confirmed)}
          onClick={() => void promote()}
        >
          Promote
        </button>
      </div>
      {done && (
        <p className="note ok" role="status">
          {done}
        </p>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
