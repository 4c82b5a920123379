/** One message with its verdict and the feedback buttons (re-renders only when its own verdict changes). */
import { memo } from 'react';
import type { Sms } from '../../api';
import { useInbox } from '../../store/inbox';
import { Icon, Spinner, day, pct } from '../../ui';

export const Message = memo(function Message({ m, fresh }: { m: Sms; fresh: boolean }) {
  const v = useInbox((s) => s.verdicts[m.sms_id]);
  const features = useInbox((s) => s.features[m.sms_id]);
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
              <span
                className={`badge ${label}`}
                data-testid="verdict"
                title={`spam ${pct(v.result.prediction.spam, 2)} · ham ${pct(v.result.prediction.ham, 2)}`}
              >
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
          {features && (
            <span
              className={`pill ${features === 'present' ? 'good' : 'warn'}`}
              data-testid="features-status"
              title={
                features === 'present'
                  ? 'Its features v2 are in the online store: architecture II can judge it'
                  : 'Its features v2 are not in the online store yet: the feature step pushes them within seconds of storing it (whichever door it came through)'
              }
            >
              {features === 'present' ? 'features v2 ✓' : 'features pending'}
            </span>
          )}
          <span className="grow" />
          <button type="button" className="small" onClick={() => void check(m)} disabled={v?.loading} aria-label={`check message from ${m.sender_id}`}>
            {v?.result ? 'Recheck' : 'Check'}
          </button>
          {v?.result && (!f || f.state === 'error') && (
            <button
              type="button"
              className="small ghost"
              onClick={() => void markWrong(m)}
              aria-label={`Mark verdict wrong: message from ${m.sender_id}`}
              title={`Record that this message is ${label === 'spam' ? 'ham' : 'spam'}`}
            >
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
