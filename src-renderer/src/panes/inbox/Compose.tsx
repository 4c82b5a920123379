/** Send a message through the Inbox API and see its verdict. */
import { useState } from 'react';
import { errorText } from '../../api';
import { useInbox } from '../../store/inbox';
import { Card, ErrorBox, Icon } from '../../ui';

export function Compose({ user }: { user: string }) {
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
