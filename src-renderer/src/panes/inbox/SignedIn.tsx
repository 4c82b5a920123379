/** A user's inbox: verdicts per message or all at once, by the chosen model and architecture. */
import { useEffect } from 'react';
import { INBOX_PAGE, useInbox, VERSIONS, supportsArchitectureII, type Architecture, type ModelVersion } from '../../store/inbox';
import { Card, DefinitionList, Empty, ErrorBox, Icon, Segmented, Spinner } from '../../ui';
import { Message } from './Message';
import { Compose } from './Compose';

export function SignedIn({ user }: { user: string }) {
  const s = useInbox();
  // on sign-in (a new user): load the inbox unless it is there or on its way
  useEffect(() => {
    const st = useInbox.getState();
    if (user && !st.messages.data && !st.messages.loading) void st.refresh();
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
          <Icon name="info" size={14} /> v1 reads the hand-made features v1, computed from the text: it is served by architecture I only. Pick v2 or v3 to read
          the features v2 the inbox pushed to the online store (architecture II).
        </p>
      )}

      <div className="cols-main-side">
        <Card
          title="Messages"
          subtitle={
            s.messages.data
              ? `${s.older ? `the newest ${messages.length.toLocaleString('en-US')} messages, older ones not drawn` : `${messages.length} message${messages.length === 1 ? '' : 's'}, newest first`}${verdicts.length ? ` · ${verdicts.length} checked, ${spam} flagged spam` : ''}`
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
          {s.older && (
            <div className="row">
              <span className="muted small">Older messages are not drawn yet.</span>
              <button type="button" className="small" onClick={() => void s.showOlder()} disabled={s.messages.loading}>
                Show {INBOX_PAGE.toLocaleString('en-US')} older
              </button>
            </div>
          )}
        </Card>
        <div className="stack">
          <Compose user={user} />
          <Card title="About verdicts">
            <DefinitionList
              className="legend"
              items={[
                { term: <span className="badge spam">SPAM 91.2%</span>, value: "the model's top label and its probability" },
                { term: <span className="badge ham">HAM 88.0%</span>, value: 'not spam' },
                { term: <code>I</code>, value: 'text → model (features computed by the server)' },
                { term: <code>II</code>, value: 'online store features v2 → model' },
                {
                  term: <span className="pill good">features v2 ✓</span>,
                  value:
                    'its features are in the online store; "pending" until the feature step pushed them (seconds, whichever door the message came through)',
                },
              ]}
            />
            <p className="muted small">"Mark wrong" records the opposite label as feedback for the monitoring engine.</p>
          </Card>
        </div>
      </div>
    </div>
  );
}

// memo: a verdict arriving re-renders its own message only (each subscribes to its own entry),
// not every message of the inbox
