/** The seed's SMS web app, done better: inbox, verdicts by architecture I or II, compose, feedback. */
import { useState } from 'react';
import { useInbox } from '../store';
import { api, errorText } from '../api';
import { Card, Empty, ErrorBox, Spinner, pct, when } from '../ui';

export function InboxPane() {
  const s = useInbox();
  const [name, setName] = useState(s.user);
  const [compose, setCompose] = useState({ sender: '', text: '' });
  const [sendState, setSendState] = useState<{ busy?: boolean; error?: string; note?: string }>({});

  const send = async () => {
    setSendState({ busy: true });
    try {
      const r = await api.send(s.user, compose.sender || 'someone', compose.text);
      setCompose({ sender: compose.sender, text: '' });
      await s.refresh();
      const m = useInbox.getState().messages.find((x) => x.sms_id === r.sms_id);
      if (m) await s.check(m);
      setSendState({ note: r.reason });
    } catch (e) {
      setSendState({ error: errorText(e) });
    }
  };

  return (
    <div className="stack">
      <Card title="Sign in">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void s.signIn(name.trim());
          }}
        >
          <label>
            User name <input aria-label="user name" value={name} onChange={(e) => setName(e.target.value)} placeholder="fiona, max, or anyone" />
          </label>
          <button type="submit">Open inbox</button>
          <span className="muted">Try fiona or max: the seed story's users.</span>
        </form>
      </Card>

      {s.user && (
        <Card
          title={`Inbox of ${s.user}`}
          actions={
            <>
              <label>
                Model{' '}
                <select aria-label="model version" value={s.version} onChange={(e) => s.setVersion(e.target.value)}>
                  <option value="v1">v1 (2019, random forest)</option>
                  <option value="v2">v2 (2020, LSTM)</option>
                  <option value="v3">v3 (2021, LSTM)</option>
                </select>
              </label>
              <label title={s.version === 'v1' ? 'v1 reads features v1, computed from the text: architecture I only' : ''}>
                Architecture{' '}
                <select aria-label="architecture" value={s.architecture} disabled={s.version === 'v1'} onChange={(e) => s.setArchitecture(e.target.value as 'I' | 'II')}>
                  <option value="I">I: text → prediction</option>
                  <option value="II">II: online features → prediction</option>
                </select>
              </label>
              <button onClick={() => void s.checkAll()} disabled={!s.messages.length}>
                Check all
              </button>
              <button onClick={() => void s.refresh()} aria-label="refresh">
                ⟳ Refresh
              </button>
            </>
          }
        >
          <ErrorBox error={s.error} />
          {s.loading && <Spinner />}
          {!s.loading && !s.error && s.messages.length === 0 && <Empty>No messages for {s.user} yet. Compose one below: it goes through the inbox pipeline.</Empty>}
          <ul className="messages">
            {s.messages.map((m) => {
              const v = s.verdicts[m.sms_id];
              return (
                <li key={m.sms_id} className="message" data-sms-id={m.sms_id}>
                  <div className="msg-head">
                    <strong>{m.sender_id}</strong>
                    <span className="muted small">{when(m.date_sent)}</span>
                  </div>
                  <div className="msg-text">{m.sms_text}</div>
                  <div className="msg-foot">
                    {v?.loading && <Spinner label="Checking" />}
                    {v?.result && (
                      <span className={`badge ${v.result.top.label}`} data-testid="verdict">
                        {v.result.top.label === 'spam' ? 'SPAM' : 'ham'} {pct(v.result.prediction.spam)} spam · {v.version} · arch {v.architecture}
                        {v.result.from_cache ? ' · cached' : ''}
                      </span>
                    )}
                    {v?.error && <span className="inline-error">{v.error}</span>}
                    <button className="small" onClick={() => void s.check(m)} aria-label={`check message from ${m.sender_id}`}>
                      Check
                    </button>
                    {v?.result && !v.reported && (
                      <button className="small ghost" onClick={() => void s.markWrong(m)}>
                        Mark verdict wrong
                      </button>
                    )}
                    {v?.reported && <span className="muted small">feedback sent: thank you</span>}
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      )}

      {s.user && (
        <Card title="Compose (through the Inbox API)">
          <form
            className="compose"
            onSubmit={(e) => {
              e.preventDefault();
              if (compose.text.trim()) void send();
            }}
          >
            <input aria-label="sender" placeholder="from (sender id)" value={compose.sender} onChange={(e) => setCompose({ ...compose, sender: e.target.value })} />
            <textarea aria-label="message text" placeholder="message text" rows={2} value={compose.text} onChange={(e) => setCompose({ ...compose, text: e.target.value })} />
            <button type="submit" disabled={sendState.busy || !compose.text.trim()}>
              Send
            </button>
          </form>
          <ErrorBox error={sendState.error} />
          {sendState.note && <p className="muted small">{sendState.note}</p>}
        </Card>
      )}
    </div>
  );
}
