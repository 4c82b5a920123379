/** The seed's SMS web app, done better: inbox, verdicts by architecture I or II, compose, feedback. */
import { memo, useEffect, useState } from 'react';
import { errorText, type Sms } from '../api';
import { useInbox, VERSIONS, supportsArchitectureII, type Architecture, type ModelVersion } from '../store/inbox';
import { Card, Empty, ErrorBox, Icon, Segmented, Spinner, day, pct } from '../ui';

const SUGGESTED = ['fiona', 'max'];

export function InboxPane() {
  const user = useInbox((s) => s.user);
  return user ? <SignedIn user={user} /> : <SignIn />;
}

function SignIn() {
  const signIn = useInbox((s) => s.signIn);
  const [name, setName] = useState('');
  const open = (n: string) => {
    if (n.trim()) void signIn(n.trim());
  };
  return (
    <div className="signin">
      <Card title="Sign in" subtitle="Open the inbox of a user of the seed story, or of anyone: messages sent to a new name land in a new inbox.">
        <form
          className="signin-form"
          onSubmit={(e) => {
            e.preventDefault();
            open(name);
          }}
        >
          <label className="field">
            <span>User name</span>
            <input aria-label="user name" value={name} onChange={(e) => setName(e.target.value)} pattern={'[^\\/\\s]+'} maxLength={100} title="A user name: no spaces or slashes" placeholder="fiona, max, or any name" autoFocus autoComplete="username" />
          </label>
          <button type="submit" className="primary" disabled={!name.trim()}>
            Open inbox
          </button>
        </form>
        <div className="suggest">
          <span className="muted">Seed users:</span>
          {SUGGESTED.map((u) => (
            <button key={u} type="button" className="chip" onClick={() => open(u)}>
              <Icon name="user" size={13} /> {u}
            </button>
          ))}
        </div>
      </Card>
    </div>
  );
}

function SignedIn({ user }: { user: string }) {
  const s = useInbox();
  useEffect(() => {
    if (!s.messages.data && !s.messages.loading) void s.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user]);
  const messages = s.messages.data ?? [];
  const verdicts = messages.map((m) => s.verdicts[m.sms_id]).filter((v) => v?.result);
  const spam = verdicts.filter((v) => v!.result!.top.label === 'spam').length;

  return (
    <div className="stack">
      <div className="toolbar" role="toolbar" aria-label="inbox settings">
        <div className="who">
          <span className="avatar large" aria-hidden="true">
            {user.slice(0, 1).toUpperCase()}
          </span>
          <div>
            <div className="who-name">{user}</div>
            <button type="button" className="link" onClick={s.signOut}>
              Switch user
            </button>
          </div>
        </div>
        <div className="toolbar-group">
          <span className="toolbar-label" id="model-label">
            Model
          </span>
          <Segmented<ModelVersion>
            label="model version"
            value={s.version}
            onChange={s.setVersion}
            options={VERSIONS.map((v) => ({ value: v.id, label: v.label, title: v.hint }))}
          />
        </div>
        <div className="toolbar-group">
          <span className="toolbar-label">Architecture</span>
          <Segmented<Architecture>
            label="architecture"
            value={s.architecture}
            onChange={s.setArchitecture}
            options={[
              { value: 'I', label: 'I · text', title: 'Architecture I: the text goes to /model/{v}/text_to_prediction' },
              {
                value: 'II',
                label: 'II · online features',
                disabled: !supportsArchitectureII(s.version),
                title: supportsArchitectureII(s.version)
                  ? 'Architecture II: the features v2 the inbox pushed are read from the online store, then /model/{v}/features_to_prediction'
                  : 'v1 reads the hand-made features v1, which the inbox does not push: architecture II needs features v2 (v2, v3)',
              },
            ]}
          />
        </div>
        <div className="grow" />
        <button type="button" className="primary" onClick={() => void s.checkAll()} disabled={!messages.length || s.checkingAll}>
          <Icon name="check" /> {s.checkingAll ? 'Checking…' : 'Check all'}
        </button>
        <button type="button" onClick={() => void s.refresh()} aria-label="refresh" title="Reload the messages">
          <Icon name="refresh" /> Refresh
        </button>
      </div>
      {!supportsArchitectureII(s.version) && (
        <p className="hint-line">
          <Icon name="info" size={14} /> v1 reads the hand-made features v1, computed from the text: it is served by architecture I only. Pick v2 or v3 to read the features v2 the inbox pushed to the online store (architecture II).
        </p>
      )}

      <div className="cols-main-side">
        <Card
          title="Messages"
          subtitle={
            s.messages.data
              ? `${messages.length} message${messages.length === 1 ? '' : 's'}, newest first${verdicts.length ? ` · ${verdicts.length} checked, ${spam} flagged spam` : ''}`
              : undefined
          }
          actions={s.messages.loading && s.messages.data ? <Spinner label="Refreshing" /> : undefined}
        >
          <ErrorBox error={s.messages.error} onRetry={() => void s.refresh()} />
          {s.messages.loading && !s.messages.data && <Spinner label="Loading messages" />}
          {s.messages.data && messages.length === 0 && (
            <Empty icon="inbox" title={`No messages for ${user} yet`}>
              Compose one on the right: it goes through the Inbox API (stored, its features v2 pushed to the feature store) and comes back here with a verdict.
            </Empty>
          )}
          <ul className="messages">
            {messages.map((m) => (
              <Message key={m.sms_id} m={m} fresh={s.fresh === m.sms_id} />
            ))}
          </ul>
        </Card>
        <div className="stack">
          <Compose user={user} />
          <Card title="About verdicts">
            <dl className="legend">
              <dt>
                <span className="badge spam">SPAM 91.2%</span>
              </dt>
              <dd>the model's top label and its probability</dd>
              <dt>
                <span className="badge ham">HAM 88.0%</span>
              </dt>
              <dd>not spam</dd>
              <dt>
                <code>I</code>
              </dt>
              <dd>text → model (features computed by the server)</dd>
              <dt>
                <code>II</code>
              </dt>
              <dd>online store features v2 → model</dd>
            </dl>
            <p className="muted small">"Mark wrong" records the opposite label as feedback for the monitoring engine.</p>
          </Card>
        </div>
      </div>
    </div>
  );
}

// memo: a verdict arriving re-renders its own message only (each subscribes to its own entry),
// not every message of the inbox
const Message = memo(function Message({ m, fresh }: { m: Sms; fresh: boolean }) {
  const v = useInbox((s) => s.verdicts[m.sms_id]);
  const f = useInbox((s) => s.feedback[m.sms_id]);
  const check = useInbox((s) => s.check);
  const markWrong = useInbox((s) => s.markWrong);
  const label = v?.result?.top.label;
  return (
    <li className={`message ${label ?? ''} ${fresh ? 'fresh' : ''}`} data-sms-id={m.sms_id}>
      <span className="avatar" aria-hidden="true">
        {m.sender_id.slice(0, 1).toUpperCase()}
      </span>
      <div className="msg-main">
        <div className="msg-head">
          <strong className="sender">{m.sender_id}</strong>
          <time className="muted small" dateTime={m.date_sent} title={new Date(m.date_sent).toLocaleString()}>
            {day(m.date_sent)}
          </time>
        </div>
        <p className="msg-text">{m.sms_text}</p>
        <div className="msg-foot">
          {v?.result && (
            <>
              <span className={`badge ${label}`} data-testid="verdict" title={`spam ${pct(v.result.prediction.spam, 2)} · ham ${pct(v.result.prediction.ham, 2)}`}>
                {label === 'spam' ? 'SPAM' : 'HAM'} {pct(v.result.top.value)}
              </span>
              <span className="verdict-meta" data-testid="verdict-meta">
                {v.version} · arch {v.architecture}
                {v.result.from_cache ? ' · cached' : ''}
              </span>
            </>
          )}
          {v?.loading && <Spinner label="Checking" />}
          {v?.error && !v.loading && (
            <span className="inline-error" role="alert">
              <Icon name="alert" size={13} /> {v.error}
            </span>
          )}
          <span className="grow" />
          <button type="button" className="small" onClick={() => void check(m)} disabled={v?.loading} aria-label={`check message from ${m.sender_id}`}>
            {v?.result ? 'Recheck' : 'Check'}
          </button>
          {v?.result && (!f || f.state === 'error') && (
            <button type="button" className="small ghost" onClick={() => void markWrong(m)} aria-label={`Mark verdict wrong: message from ${m.sender_id}`} title={`Record that this message is ${label === 'spam' ? 'ham' : 'spam'}`}>
              <Icon name="flag" size={13} /> Mark wrong
            </button>
          )}
        </div>
        {f?.state === 'sending' && <Spinner label="Sending feedback" />}
        {f?.state === 'sent' && (
          <p className="feedback ok" role="status">
            <Icon name="check" size={13} /> feedback sent: recorded as {f.trueLabel}
          </p>
        )}
        {(f?.state === 'error' || f?.state === 'unavailable') && (
          <p className={`feedback ${f.state === 'error' ? 'bad' : 'warn'}`} role="alert">
            <Icon name="alert" size={13} /> {f.message}
          </p>
        )}
      </div>
    </li>
  );
});

function Compose({ user }: { user: string }) {
  const send = useInbox((s) => s.send);
  const [sender, setSender] = useState('');
  const [text, setText] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: string; note?: string }>({});
  const submit = async () => {
    setState({ busy: true });
    try {
      const r = await send(sender.trim() || 'someone', text.trim());
      setText('');
      setState({ note: r.reason });
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  return (
    <Card title="Compose" subtitle={`A message to ${user}, through the Inbox API`}>
      <form
        className="compose"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void submit();
        }}
      >
        <label className="field">
          <span>From</span>
          <input aria-label="sender" placeholder="sender id, e.g. otto" value={sender} onChange={(e) => setSender(e.target.value)} />
        </label>
        <label className="field">
          <span>Message</span>
          <textarea
            aria-label="message text"
            placeholder="Type a message…"
            rows={4}
            maxLength={2000}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim() && !state.busy) void submit();
            }}
          />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={state.busy || !text.trim()}>
            <Icon name="send" /> {state.busy ? 'Sending…' : 'Send'}
          </button>
          <span className="muted small">Ctrl+Enter sends</span>
        </div>
      </form>
      <ErrorBox error={state.error} />
      {state.note && (
        <p className="note ok" role="status">
          <Icon name="check" size={13} /> {state.note}
        </p>
      )}
    </Card>
  );
}
