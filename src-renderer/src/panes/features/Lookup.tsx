/** Online-store lookup of entities through a feature service or feature refs, with statuses and event times. */
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { api, type FeatureStatus, type MessageContext } from '../../api';
import { useFeatures } from '../../store/features';
import { Card, ErrorBox, Icon, Progress, ago, when } from '../../ui';
import { ttl } from './shared';

const STATUS_HINT: Record<FeatureStatus, string> = {
  PRESENT: 'value present in the online store',
  NOT_FOUND: 'no row for this entity',
  OUTSIDE_MAX_AGE: 'the row is older than the view ttl',
  NULL_VALUE: 'the row holds no value',
};

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(6));
  return String(v);
}

/** a field of the message, or why it is unknown */
function Known({ value, reason, className }: { value: string | null; reason?: string; className?: string }) {
  if (value !== null) return <span className={className}>{value}</span>;
  return (
    <span className="muted tiny" title={reason}>
      unknown{reason ? `: ${reason}` : ''}
    </span>
  );
}

/** the message behind each looked-up id: text, user and send date (GET /online/messages) */
function MessageRows({ ids, messages }: { ids: string[]; messages?: MessageContext[] }) {
  // by id once: a find per cell is quadratic in the ids asked for
  const byId = useMemo(() => new Map((messages ?? []).map((m) => [m.sms_id, m])), [messages]);
  const of = (i: number) => byId.get(ids[i]);
  const row = (label: string, cell: (m: MessageContext) => ReactNode) => (
    <tr className="message-row">
      <td>
        <span className="muted small">{label}</span>
      </td>
      {ids.map((id, i) => {
        const m = of(i);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: one cell per requested entity, by position
          <td key={i} data-testid={`lookup-${label}-${id}`}>
            {m ? cell(m) : <span className="muted tiny">…</span>}
          </td>
        );
      })}
    </tr>
  );
  return (
    <>
      {row('message', (m) => (
        <Known value={m.text} reason={m.reasons.text} className="message-text" />
      ))}
      {row('user', (m) => (
        <>
          <Known value={m.user_id} reason={m.reasons.user_id} />
          {m.sender_id && <span className="muted small"> · from {m.sender_id}</span>}
          {m.label && <span className={`badge ${m.label}`}>{m.label}</span>}
        </>
      ))}
      {row('sent', (m) => (
        <Known value={m.sent_at ? when(m.sent_at) : null} reason={m.reasons.sent_at} />
      ))}
    </>
  );
}

/** entities drawn as columns of the lookup table */
const SHOWN_IDS = 200;
/** the field's length up to which ids are suggested as the list grows */
const SUGGEST_UP_TO = 1000;
export function Lookup() {
  const views = useFeatures((s) => s.views.data);
  const services = useFeatures((s) => s.services.data);
  const lookup = useFeatures((s) => s.lookup);
  const messages = useFeatures((s) => s.lookupMessages);
  const runLookup = useFeatures((s) => s.runLookup);
  // the last lookup's (also the one named by the address), else filled from the store's own ids below
  const [ids, setIds] = useState(() => lookup.query?.ids.join(', ') ?? '');
  // ids suggested from the store itself: the most recent, or those starting with what is typed
  const [suggested, setSuggested] = useState<string[]>([]);
  const typed = ids.split(/[\s,;]+/).pop() ?? '';
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.entityIds(typed).then(
        (a) => live && setSuggested(a.ids),
        () => live && setSuggested([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [typed]);
  // the first suggestion fills the empty field once (a field the user cleared stays empty), unless the
  // user is in the field: a value written under the cursor would join what is being typed
  const [prefilled, setPrefilled] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!prefilled && suggested.length) {
      setPrefilled(true);
      setIds((now) => (now || document.activeElement === field.current ? now : suggested[0]));
    }
  }, [prefilled, suggested]);
  /** the view of a feature column (names are unique across the views here), for its ttl */
  const viewOf = (name: string) => views?.find((v) => v.schema.some((f) => f.name === name || `${v.name}__${f.name}` === name));
  const [chosen, setTarget] = useState(() => lookup.query?.target ?? 'service:labeled_sms_2');
  // a lookup named by the address (back, forward, a link) puts its ids and target in the fields: the
  // field kept the text of the lookup left while the table showed the one gone back to
  const query = lookup.query;
  useEffect(() => {
    if (!query) return;
    setIds(query.ids.join(', '));
    setTarget(query.target);
  }, [query]);
  // what the applied registry has: an earlier stage has no labeled_sms_2
  const available = services || views ? [...(services ?? []).map((sv) => `service:${sv.name}`), ...(views ?? []).map((v) => `view:${v.name}`)] : undefined;
  const target = !available || available.includes(chosen) ? chosen : (available.filter((a) => a.startsWith('service:')).pop() ?? available[0] ?? chosen);
  const d = lookup.data;
  const allIds = d?.results[0]?.values.map(String) ?? [];
  // a table of thousands of columns held the page for over half a second: the first SHOWN_IDS are drawn, the counts are of all
  const entityIds = allIds.slice(0, SHOWN_IDS);
  const rows = d ? d.metadata.feature_names.map((name, j) => ({ name, r: d.results[j] })).slice(1) : [];
  const counts: Record<string, number> = {};
  for (const st of rows.flatMap((x) => x.r.statuses)) counts[st] = (counts[st] ?? 0) + 1;
  return (
    <Card
      title="Online store lookup"
      subtitle="Latest feature values of entities, as the feature server answers them (POST /get-online-features), below the message each describes (GET /online/messages)"
    >
      <form
        className="row wrap-tight"
        onSubmit={(e) => {
          e.preventDefault();
          const list = ids.split(/[\s,;]+/).filter(Boolean);
          if (list.length) void runLookup({ ids: list, target });
        }}
      >
        <label className="field grow">
          <span>sms_id(s)</span>
          <input
            ref={field}
            aria-label="sms ids"
            list="lookup-ids"
            value={ids}
            onChange={(e) => setIds(e.target.value)}
            placeholder={suggested.slice(0, 2).join(', ')}
          />
          <datalist id="lookup-ids">
            {/* each suggestion holds the whole list typed before it: past a few dozen ids that is megabytes of options, and none is of use */}
            {(ids.length > SUGGEST_UP_TO ? [] : suggested).map((id) => (
              <option key={id} value={ids.includes(',') ? `${ids.slice(0, ids.lastIndexOf(',') + 1)} ${id}` : id} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Feature service or view</span>
          <select aria-label="feature service or view" value={target} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label="Feature services">
              {(services ?? [{ name: 'labeled_sms_1' }, { name: 'labeled_sms_2' }]).map((sv) => (
                <option key={sv.name} value={`service:${sv.name}`}>
                  {sv.name}
                </option>
              ))}
            </optgroup>
            {views && (
              <optgroup label="Feature views">
                {views.map((v) => (
                  <option key={v.name} value={`view:${v.name}`}>
                    {v.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <button type="submit" className="primary align-end" disabled={lookup.loading}>
          <Icon name="search" /> Look up
        </button>
      </form>
      {lookup.loading && <Progress label="looking up" />}
      <ErrorBox error={lookup.error} />
      {d && <ErrorBox error={messages.error} />}
      {!d && !lookup.loading && !lookup.error && (
        <p className="muted small" data-testid="id-suggestions">
          Enter one or more sms_ids (comma or space separated).{' '}
          {suggested.length
            ? `From the store${typed ? ` (starting with "${typed}")` : ' (most recent)'}: ${suggested.slice(0, 5).join(', ')}`
            : typed
              ? `No id in the store starts with "${typed}".`
              : ''}
        </p>
      )}
      {d && (
        <>
          <p className="muted small result-line">
            {allIds.length} entit{allIds.length === 1 ? 'y' : 'ies'} × {rows.length} feature{rows.length === 1 ? '' : 's'}
            {allIds.length > entityIds.length ? ` (the first ${entityIds.length} shown)` : ''} ·{' '}
            {Object.entries(counts).map(([st, n]) => (
              <span key={st} className={`status ${st}`}>
                {n} {st}{' '}
              </span>
            ))}
          </p>
          <div className="scroll">
            <table className="lookup">
              <thead>
                <tr>
                  <th>feature</th>
                  {entityIds.map((id, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: an id may be asked for twice; columns are positional
                    <th key={i}>{id}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <MessageRows ids={entityIds} messages={messages.data?.messages} />
                {rows.map(({ name, r }) => (
                  <tr key={name}>
                    <td>
                      <code>{name}</code>
                    </td>
                    {r.values.slice(0, SHOWN_IDS).map((v, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: one cell per requested entity, by position
                      <td key={i}>
                        <span className={`status ${r.statuses[i]}`} title={STATUS_HINT[r.statuses[i] as FeatureStatus]}>
                          {r.statuses[i]}
                        </span>
                        {r.statuses[i] === 'PRESENT' && <div className="mono small value">{formatValue(v)}</div>}
                        {r.statuses[i] !== 'NOT_FOUND' && (
                          <div className="muted tiny" data-testid="staleness">
                            event {r.event_timestamps[i]} · {ago(r.event_timestamps[i])}
                            {(() => {
                              const v = viewOf(name);
                              if (!v?.ttlSeconds) return v ? ' · ttl none' : '';
                              const age = (Date.now() - Date.parse(r.event_timestamps[i])) / 1000;
                              return ` · ttl ${ttl(v.ttlSeconds)} (${age > v.ttlSeconds ? 'stale' : `${Math.round((100 * age) / v.ttlSeconds)}% used`})`;
                            })()}
                          </div>
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Card>
  );
}
